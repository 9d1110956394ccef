import type { Provider } from '../types.js'
import { RETRIES_ANY_ERROR, SECOND } from './define.js'
import { type StandardWebhooksProviderOptions, standardWebhooksPreset } from './standard-webhooks.js'
import { SVIX_RETRY_WINDOW_MS } from './svix.js'

/** Options of {@link clerk}: `secret` is `CLERK_WEBHOOK_SIGNING_SECRET` (`whsec_…`). */
export type ClerkOptions = StandardWebhooksProviderOptions

/**
 * Clerk: delivered through Svix, so Standard Webhooks with `svix-*` headers and a `whsec_…`
 * secret, exactly as `verifyWebhook` in @clerk/backend checks it (±5 min). Id `svix-id`, type
 * the body's `type` (`user.created`, …); retries follow Svix's schedule.
 *
 * @example
 * import { clerk } from 'webhook-inbox/providers'
 * const provider = clerk({ secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET })
 */
export function clerk<T = unknown>(options: ClerkOptions): Provider<T> {
  return standardWebhooksPreset<T>(options, {
    name: 'clerk',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, on the Svix schedule',
    title: 'Clerk',
    headerPrefix: 'svix',
    secretFormat: 'base64',
    retryWindowMs: SVIX_RETRY_WINDOW_MS,
    responseDeadlineMs: 15 * SECOND,
  })
}
