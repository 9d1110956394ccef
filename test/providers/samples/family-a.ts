import { github, hmac } from '../../../src/providers/index.js'
import type { Provider } from '../../../src/types.js'

/** Families A (HMAC of the body) and J (shared token). */
export const familyA: Record<string, () => Provider> = {
  github: () => github({ secret: 'sample' }),
  hmac: () => hmac({ header: 'X-Signature', secret: 'sample', prefix: 'sha256=' }),
}
