import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { verifySquare } from '../verifiers/url-hmac.js'
import { defineProvider, HOUR, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link square}. */
export interface SquareOptions {
  /** The subscription's signature key(s); several while you rotate. */
  secret: Secrets
  /**
   * The notification URL exactly as registered in the Square Developer Console: it is part of
   * the signed string. Without it, the request's URL is used (correct only when the adapter sees
   * the public URL; see `publicUrl`).
   * @default the request URL
   */
  notificationUrl?: string
}

/**
 * Square: `x-square-hmacsha256-signature`, base64 HMAC-SHA256 of the notification URL followed
 * by the raw body (developer.squareup.com "Validate notifications"; square SDK WebhooksHelper).
 * The legacy `x-square-signature` (HMAC-SHA1) alone is refused, as the SDK refuses it. Id is the
 * body's `event_id`, type its `type`. Square retries for up to 24 h and waits 10 s (Square's
 * docs; we could not confirm the figures).
 *
 * @example
 * import { square } from 'webhook-inbox/providers'
 * const provider = square({ secret: process.env.SQUARE_SIGNATURE_KEY, notificationUrl: 'https://example.com/webhooks/square' })
 */
export function square<T = unknown>(options: SquareOptions): Provider<T> {
  const keys = secretList(options?.secret, 'square')
  const { notificationUrl } = options
  if (notificationUrl !== undefined) {
    let valid = false
    try {
      valid = /^https?:$/.test(new URL(notificationUrl).protocol)
    } catch {
      valid = false
    }
    configInvariant(
      valid,
      '`notificationUrl` must be the full http(s) URL registered in the Square Developer Console.',
      'square',
    )
  }
  return defineProvider<T>({
    name: 'square',
    idSigned: true,
    signatureHeaders: ['x-square-hmacsha256-signature', 'x-square-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 24 * HOUR,
    responseDeadlineMs: 10 * SECOND,
    info: {
      title: 'Square',
      retries: 'any non-2xx, for up to 24 h',
      scheme: 'HMAC-SHA256 base64 of notification URL + body',
      headers: ['x-square-hmacsha256-signature'],
      id: 'body `event_id`',
      type: 'body `type`',
      typeSigned: true,
    },
    verify: (d) => {
      // Only the SHA-256 header, as the square SDK's WebhooksHelper: the legacy SHA-1
      // `x-square-signature` alone is not enough.
      return verifySquare({
        url: notificationUrl ?? d.url,
        payload: d.bytes,
        signature: d.header('x-square-hmacsha256-signature'),
        algorithm: 'sha256',
        secret: keys,
        provider: 'square',
      })
    },
    id: (_d, payload) => pick(payload, 'event_id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
