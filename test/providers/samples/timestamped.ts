import {
  calendly,
  clerk,
  contentful,
  mux,
  paddle,
  polar,
  resend,
  sanity,
  slack,
  standardWebhooks,
  stripe,
  svix,
  twitch,
  zoom,
} from '../../../src/providers/index.js'
import type { Provider } from '../../../src/types.js'

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** Families B (timestamped key=value header), C (Standard Webhooks) and D (separate timestamp header). */
export const familyBcd: Record<string, () => Provider> = {
  stripe: () => stripe({ secret: 'whsec_sample' }),
  paddle: () => paddle({ secret: 'pdl_ntfset_sample' }),
  sanity: () => sanity({ secret: 'sample' }),
  mux: () => mux({ secret: 'sample' }),
  calendly: () => calendly({ secret: 'sample' }),
  standardWebhooks: () => standardWebhooks({ secret: WHSEC }),
  svix: () => svix({ secret: WHSEC }),
  clerk: () => clerk({ secret: WHSEC }),
  resend: () => resend({ secret: WHSEC }),
  polar: () => polar({ secret: 'polar_whs_sample' }),
  slack: () => slack({ secret: 'sample' }),
  zoom: () => zoom({ secret: 'sample' }),
  twitch: () => twitch({ secret: 'sample-secret' }),
  contentful: () => contentful({ secret: 's'.repeat(64) }),
}
