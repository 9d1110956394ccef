import type { Provider } from '../types.js'
import { RETRIES_5XX, SECOND } from './define.js'
import { type StandardWebhooksProviderOptions, standardWebhooksPreset } from './standard-webhooks.js'

/** Options of {@link polar}: `secret` is the endpoint secret exactly as Polar shows it. */
export type PolarOptions = StandardWebhooksProviderOptions

/**
 * Polar: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), but
 * the HMAC key is the UTF-8 bytes of the secret as shown, not a base64-decoded `whsec_` key:
 * @polar-sh/sdk's `validateEvent` base64-encodes the secret before handing it to standardwebhooks,
 * which decodes it again. ±5 min. Id `webhook-id`, type the body's `type`. Polar waits 10 s for an
 * answer (read through a mirror of Polar's docs); its retry window is not documented, so the 24 h
 * retention floor applies.
 *
 * @example
 * import { polar } from 'webhook-inbox/providers'
 * const provider = polar({ secret: process.env.POLAR_WEBHOOK_SECRET })
 */
export function polar<T = unknown>(options: PolarOptions): Provider<T> {
  return standardWebhooksPreset<T>(options, {
    name: 'polar',
    retriedStatuses: RETRIES_5XX,
    retries: 'not documented; 5xx assumed',
    title: 'Polar',
    headerPrefix: 'webhook',
    secretFormat: 'raw',
    responseDeadlineMs: 10 * SECOND,
    scheme: 'Standard Webhooks `v1` with the raw UTF-8 secret as key',
  })
}
