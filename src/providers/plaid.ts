import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { type JwtKeyLookup, verifyPlaid } from '../verifiers/jwt.js'
import { checkTolerance } from '../verifiers/shared.js'
import { defineProvider, HOUR, MINUTE, pick, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link plaid}. */
export interface PlaidOptions {
  /**
   * Returns the public JWK for a token's `kid`, from Plaid's `/webhook_verification_key/get`
   * (with your client id and secret). Cache keys by `kid`: this runs on every delivery. Return
   * `undefined` for an unknown or expired key.
   */
  getKey: JwtKeyLookup
  /**
   * Largest age of the token's `iat`, and the clock leeway the other way.
   * @default 300000 (5 minutes, as Plaid documents)
   */
  toleranceMs?: number
}

/**
 * Plaid: `Plaid-Verification` is an ES256 JWT whose header names the signing key (`kid`);
 * `iat` must be at most 5 minutes old and `request_body_sha256` must be the hex SHA-256 of the
 * raw body (plaid.com/docs/api/webhooks/webhook-verification). Plaid sends no delivery id, so
 * the id is the SHA-256 of the body (a retry sends the same body under a new token); the type
 * is `webhook_type.webhook_code`. Plaid does not document its retry window precisely; we assume
 * about 24 h.
 *
 * @example
 * import { plaid } from 'webhook-inbox/providers'
 * // only keys Plaid confirmed: `kid` is network input, so never cache misses
 * const keys = new Map()
 * const provider = plaid({
 *   getKey: async ({ kid }) => {
 *     if (!kid) return undefined
 *     if (keys.has(kid)) return keys.get(kid)
 *     const key = await fetchPlaidKey(kid)
 *     if (key) keys.set(kid, key)
 *     return key
 *   },
 * })
 */
export function plaid<T = unknown>(options: PlaidOptions): Provider<T> {
  configInvariant(
    typeof options?.getKey === 'function',
    '`getKey` is missing: pass a function that returns the JWK for a `kid` from Plaid’s /webhook_verification_key/get.',
    'plaid',
  )
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'plaid')
  return defineProvider<T>({
    name: 'plaid',
    signatureHeaders: ['plaid-verification'],
    retriedStatuses: RETRIES_5XX,
    retryWindowMs: 24 * HOUR,
    responseDeadlineMs: 10 * SECOND,
    sensitiveHeaders: ['plaid-verification'],
    info: {
      title: 'Plaid',
      retries: 'not documented; 5xx assumed',
      scheme: 'ES256 JWT (key by `kid`), `request_body_sha256` of the body',
      headers: ['Plaid-Verification'],
      id: 'SHA-256 of the body',
      type: 'body `webhook_type.webhook_code`',
      typeSigned: true,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyPlaid({
        token: d.header('plaid-verification'),
        payload: d.bytes,
        getKey: options.getKey,
        now: d.now,
        toleranceMs,
        provider: 'plaid',
      })
      // The token changes on every retry; the body alone gives a stable id.
      return result.ok ? { ok: true, timestamp: result.timestamp } : result
    },
    type: (_d, payload) => {
      const type = pick(payload, 'webhook_type')
      const code = pick(payload, 'webhook_code')
      return type && code ? `${type}.${code}` : (type ?? code)
    },
  })
}
