import type { Provider } from '../types.js'
import { verifyQStash } from '../verifiers/jwt.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { defineProvider, MINUTE, RETRIES_ANY_ERROR } from './define.js'

/** Options of {@link qstash}. */
export interface QStashOptions {
  /** The current and next signing keys (`QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`). */
  secret: Secrets
  /**
   * Check the token's `sub` (the URL QStash delivered to): a string is compared as given;
   * `true` compares with the request URL (correct when the adapter sees the public URL, see
   * `publicUrl`). One signing key signs every destination of an account, so without this check
   * a token captured for one endpoint verifies on another. `false` turns it off, as
   * @upstash/qstash does without `url`.
   * @default true
   */
  url?: string | boolean
  /**
   * The largest age of `iat`, either direction. QStash signs each delivery with a token valid
   * for 5 minutes.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
  /**
   * Leeway for `exp` and `nbf`; the token is expired at `exp` itself.
   * @default 0 (as @upstash/qstash's `clockTolerance`)
   */
  clockToleranceMs?: number
}

/**
 * Upstash QStash: `Upstash-Signature` is an HS256 JWT signed with the current or the next
 * signing key (both are accepted, so rolling keys never drops a message), `iss` `Upstash`,
 * `body` the base64url SHA-256 of the raw body, and `sub` the destination URL
 * (@upstash/qstash Receiver.verify; upstash.com/docs/qstash/features/security: tokens live 5 minutes and
 * carry `iat`, `nbf`, `exp`, `jti`).
 *
 * The id is `Upstash-Message-Id`, the same on every retry. QStash retries with exponential
 * back-off (3 times by default, configurable per message, per Upstash's docs; not checked here).
 *
 * @example
 * import { qstash } from 'webhook-inbox/providers'
 * const provider = qstash({ secret: [process.env.QSTASH_CURRENT_SIGNING_KEY, process.env.QSTASH_NEXT_SIGNING_KEY] })
 */
export function qstash<T = unknown>(options: QStashOptions): Provider<T> {
  const keys = secretList(options?.secret, 'qstash')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'qstash')
  const url = options.url ?? true
  const clockToleranceMs = checkTolerance(options.clockToleranceMs, 0, 'qstash')
  return defineProvider<T>({
    name: 'qstash',
    signatureHeaders: ['upstash-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    sensitiveHeaders: ['upstash-signature'],
    info: {
      title: 'Upstash QStash',
      retries: 'any non-2xx, 3 times by default (Upstash docs)',
      scheme: 'HS256 JWT: `iss` Upstash, `sub` URL, `body` SHA-256 of the body',
      headers: ['Upstash-Signature'],
      id: '`Upstash-Message-Id` header',
      type: 'none',
      typeSigned: true,
      toleranceMs,
    },
    verify: (d) =>
      verifyQStash({
        token: d.header('upstash-signature'),
        payload: d.bytes,
        secret: keys,
        url: typeof url === 'string' ? url : url === true ? d.url : undefined,
        now: d.now,
        toleranceMs,
        clockToleranceMs,
        provider: 'qstash',
      }),
    body: (d) => {
      const text = d.text()
      const type = (d.header('content-type') ?? '').toLowerCase()
      // QStash forwards whatever the publisher sent; only JSON is parsed.
      if (type.includes('json') || (!type && /^\s*[[{]/.test(text))) return JSON.parse(text)
      return text
    },
    id: (d) => d.header('upstash-message-id'),
  })
}
