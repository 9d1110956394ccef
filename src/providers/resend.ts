import type { Provider } from '../types.js'
import { RETRIES_ANY_ERROR, SECOND } from './define.js'
import { type StandardWebhooksProviderOptions, standardWebhooksPreset } from './standard-webhooks.js'
import { SVIX_RETRY_WINDOW_MS } from './svix.js'

/** Options of {@link resend}: `secret` is the webhook's signing secret (`whsec_…`). */
export type ResendOptions = StandardWebhooksProviderOptions

/**
 * Resend: Standard Webhooks with `svix-id`, `svix-timestamp`, `svix-signature` headers and a
 * `whsec_…` secret (resend.com/docs "Verify webhooks requests"), ±5 min. Id `svix-id`, type the
 * body's `type` (`email.delivered`, …). Retries: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h (resend.com/docs "Retries and replays").
 *
 * @example
 * import { resend } from 'webhook-inbox/providers'
 * const provider = resend({ secret: process.env.RESEND_WEBHOOK_SECRET })
 */
export function resend<T = unknown>(options: ResendOptions): Provider<T> {
  return standardWebhooksPreset<T>(options, {
    name: 'resend',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, on the Svix schedule',
    title: 'Resend',
    headerPrefix: 'svix',
    secretFormat: 'base64',
    retryWindowMs: SVIX_RETRY_WINDOW_MS,
    responseDeadlineMs: 15 * SECOND,
  })
}
