import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { MINUTE, pick, RETRIES_ANY_ERROR } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link lemonSqueezy}. */
export interface LemonSqueezyOptions {
  /** The signing secret entered when the webhook was created; several while you rotate. */
  secret: Secrets
}

/**
 * Lemon Squeezy webhooks: `X-Signature: <hex HMAC-SHA256 of the body>`. The type is the signed
 * body's `meta.event_name` (the unsigned `X-Event-Name` header is not read). The payload has no event id, so the id is the SHA-256
 * of the body, which Lemon Squeezy's retries resend unchanged; a later change of the same
 * resource carries a new `updated_at` and so a new id. A non-200 is retried three more times
 * (about 5 s, 25 s, 125 s). Source: docs.lemonsqueezy.com "Webhook requests", "Signing requests".
 *
 * @example
 * import { lemonSqueezy } from 'webhook-inbox/providers'
 * const provider = lemonSqueezy({ secret: process.env.LEMON_SQUEEZY_WEBHOOK_SECRET })
 */
export function lemonSqueezy<T = unknown>(options: LemonSqueezyOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'lemon-squeezy',
    retriedStatuses: RETRIES_ANY_ERROR,
    retries: 'any non-2xx, 3 times (5 s, 25 s, 125 s; Lemon Squeezy docs)',
    title: 'Lemon Squeezy',
    retryWindowMs: 3 * MINUTE,
    signature: 'x-signature',
    headers: ['X-Signature', 'X-Event-Name'],
    keys: secretList(options?.secret, 'lemon-squeezy'),
    algorithm: 'sha256',
    encoding: 'hex',
    idSource: 'SHA-256 of the body',
    typeSource: 'body `meta.event_name`',
    typeSigned: true,
    // `X-Event-Name` is not signed: the body's copy is the one that counts.
    type: (_d, payload) => pick(payload, 'meta.event_name'),
  })
}
