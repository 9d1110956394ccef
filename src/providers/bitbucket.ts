import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { MINUTE, RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link bitbucket}. */
export interface BitbucketOptions {
  /** The webhook secret set on the Bitbucket Cloud webhook; several while you rotate. */
  secret: Secrets
}

/**
 * Bitbucket Cloud webhooks with a secret: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`
 * (SHA-256 under the header name GitHub uses for SHA-1). Type `X-Event-Key` (`repo:push`, ...).
 *
 * Bitbucket documents `X-Request-UUID` only as "the UUID of the request", not as stable across
 * its two retries, so the id is the SHA-256 of the body, which the retries resend unchanged.
 * Sources: support.atlassian.com "Event payloads" (headers; "tries to send the payload two more
 * times"), atlassian.com/blog/bitbucket/enhanced-webhook-security (the secret, 2023).
 * Bitbucket does not document the retry spacing or the response deadline; we assume about 10 s.
 *
 * @example
 * import { bitbucket } from 'webhook-inbox/providers'
 * const provider = bitbucket({ secret: process.env.BITBUCKET_WEBHOOK_SECRET })
 */
export function bitbucket<T = unknown>(options: BitbucketOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'bitbucket',
    retriedStatuses: RETRIES_5XX,
    retries: 'two more attempts, statuses not documented; 5xx assumed',
    title: 'Bitbucket Cloud',
    retryWindowMs: 10 * MINUTE,
    responseDeadlineMs: 10 * SECOND,
    signature: 'x-hub-signature',
    headers: ['X-Hub-Signature', 'X-Event-Key'],
    keys: secretList(options?.secret, 'bitbucket'),
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    idSource: 'SHA-256 of the body',
    typeSource: '`X-Event-Key` header',
    typeSigned: false,
    type: (d) => d.header('x-event-key'),
  })
}
