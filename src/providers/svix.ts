import type { Provider } from '../types.js'
import { HOUR, RETRIES_ANY_ERROR, SECOND } from './define.js'
import { type StandardWebhooksProviderOptions, standardWebhooksPreset } from './standard-webhooks.js'

/** Options of {@link svix}: those of `standardWebhooks` (`secret` is the endpoint's `whsec_…`). */
export type SvixOptions = StandardWebhooksProviderOptions

/**
 * How long Svix retries one message: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * (27 h 35 min 5 s in all, docs.svix.com/retries), rounded up. Shared by the Svix-delivered presets.
 *
 * @example
 * import { svix } from 'webhook-inbox/providers' // svix().retryWindowMs === SVIX_RETRY_WINDOW_MS
 */
export const SVIX_RETRY_WINDOW_MS = 28 * HOUR

/**
 * Svix (and any sender "powered by Svix"): Standard Webhooks with `svix-id`, `svix-timestamp`,
 * `svix-signature` headers (white-labelled `webhook-*` ones are read too), `whsec_…` secrets
 * base64-decoded, ±5 min tolerance as the svix library. Id `svix-id` (the same on every retry),
 * type the body's `type`. Source: docs.svix.com "Verifying webhooks manually", "Retry schedule".
 *
 * @example
 * import { svix } from 'webhook-inbox/providers'
 * const provider = svix({ secret: process.env.SVIX_WEBHOOK_SECRET })
 */
export function svix<T = unknown>(options: SvixOptions): Provider<T> {
  return standardWebhooksPreset<T>(options, {
    name: 'svix',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, 8 times over about 28 h (Svix schedule)',
    title: 'Svix',
    headerPrefix: 'svix',
    secretFormat: 'base64',
    retryWindowMs: SVIX_RETRY_WINDOW_MS,
    responseDeadlineMs: 15 * SECOND,
  })
}
