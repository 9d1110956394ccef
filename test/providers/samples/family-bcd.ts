import { standardWebhooks, stripe } from '../../../src/providers/index.js'
import type { Provider } from '../../../src/types.js'

/** Families B (timestamped key=value header), C (Standard Webhooks) and D (separate timestamp header). */
export const familyBcd: Record<string, () => Provider> = {
  stripe: () => stripe({ secret: 'whsec_sample' }),
  standardWebhooks: () => standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}
