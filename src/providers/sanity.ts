import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { defineProvider, MINUTE, RETRIES_429_5XX, SECOND } from './define.js'

/** Options of {@link sanity}. */
export interface SanityOptions {
  /** The webhook's secret; several while you rotate. */
  secret: Secrets
  /**
   * Largest distance between `t` and now, either direction. @sanity/webhook checks no time at
   * all; this keeps the replay guard. Sanity treats a 4xx answer as final, so raise it if your
   * webhook queue runs behind (its message log shows that).
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/**
 * Sanity GROQ-powered webhooks: `sanity-webhook-signature: t=<unix ms>,v1=<base64url>`,
 * HMAC-SHA256 of `t.body`. Id the `idempotency-key` header (sanity.io/docs "GROQ-powered
 * webhooks": "can be used to de-duplicate deliveries"); type the `sanity-operation` header
 * (`create`, `update`, `delete`). Sanity waits 30 s and, since 2026-04-29, retries 429/5xx
 * twice, 30 s apart (sanity.io changelog), so the 24 h retention floor applies.
 *
 * @example
 * import { sanity } from 'webhook-inbox/providers'
 * const provider = sanity({ secret: process.env.SANITY_WEBHOOK_SECRET })
 */
export function sanity<T = unknown>(options: SanityOptions): Provider<T> {
  const keys = secretList(options?.secret, 'sanity')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'sanity')
  return defineProvider<T>({
    name: 'sanity',
    signatureHeaders: ['sanity-webhook-signature'],
    retriedStatuses: RETRIES_429_5XX,
    retryWindowMs: MINUTE,
    responseDeadlineMs: 30 * SECOND,
    info: {
      title: 'Sanity',
      retries: '429 and 5xx, twice 30 s apart; any other 4xx is final (Sanity docs)',
      scheme: 'HMAC-SHA256 base64url of `t.body` (`t` in ms)',
      headers: ['sanity-webhook-signature'],
      id: '`idempotency-key` header',
      type: '`sanity-operation` header',
      typeSigned: false,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('sanity-webhook-signature'),
        secret: keys,
        now: d.now,
        toleranceMs,
        timestampUnit: 'ms',
        encoding: 'base64url',
        trimPairs: true,
        provider: 'sanity',
      })
      // `idempotency-key` is not signed: `t.body`, which is, gives the second dedupe key; the
      // fallback id stays the body's hash.
      return result.ok ? { ok: true, timestamp: result.timestamp, replayMaterial: result.signedMaterial } : result
    },
    id: (d) => d.header('idempotency-key'),
    type: (d) => d.header('sanity-operation'),
  })
}
