import type { Provider, StatusRange } from '../types.js'
import type { Secrets } from '../verifiers/shared.js'
import { basicAuthCredentials, verifyBasicAuth } from '../verifiers/shared-token.js'
import { defineProvider, HOUR, pick } from './define.js'

// "A 403 response will stop all retries"; any other non-200 is retried (postmarkapp.com support
// "Inbound webhook retries").
const POSTMARK_RETRIES: readonly StatusRange[] = [
  [400, 402],
  [404, 599],
]

/** Options of {@link postmark}. */
export interface PostmarkOptions {
  /**
   * The Basic credentials in the webhook URL you gave Postmark (`https://user:password@host/…`),
   * written `user:password`; several while you rotate.
   */
  secret: Secrets
}

/**
 * Postmark webhooks. Postmark signs nothing: protect the URL with HTTP Basic credentials
 * (`https://user:password@host/path`), which arrive as `Authorization: Basic …` and are compared
 * in constant time (the header never reaches events). Type `RecordType` (`Bounce`, `Delivery`,
 * `Open`, `Inbound`, ...). There is no delivery id and repeated opens of one message differ only
 * by their timestamps, so the id is the SHA-256 of the body. Inbound webhooks are retried 10
 * times over about 10.5 h; 403 stops the retries. Source: postmarkapp.com webhooks overview,
 * "Inbound webhook retries".
 *
 * @example
 * import { postmark } from 'webhook-inbox/providers'
 * const provider = postmark({ secret: `${process.env.POSTMARK_HOOK_USER}:${process.env.POSTMARK_HOOK_PASSWORD}` })
 */
export function postmark<T = unknown>(options: PostmarkOptions): Provider<T> {
  const credentials = basicAuthCredentials(options?.secret, 'postmark')
  return defineProvider<T>({
    name: 'postmark',
    signatureHeaders: [],
    retriedStatuses: POSTMARK_RETRIES,
    retryWindowMs: 11 * HOUR,
    info: {
      title: 'Postmark',
      retries: 'any non-200 but 403, 10 times over about 10.5 h; 403 is final (Postmark docs)',
      scheme: 'HTTP Basic credentials, constant-time compare',
      headers: ['Authorization'],
      id: 'SHA-256 of the body',
      type: 'body `RecordType` (shared credentials: nothing is signed)',
      typeSigned: false,
      sharedToken: true,
    },
    verify: (d) =>
      verifyBasicAuth({ authorization: d.header('authorization'), secret: credentials, provider: 'postmark' }),
    type: (_d, payload) => pick(payload, 'RecordType'),
  })
}
