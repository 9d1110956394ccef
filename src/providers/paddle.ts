import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link paddle}. */
export interface PaddleOptions {
  /** The notification destination's secret key (`pdl_ntfset_…`); several while you rotate. */
  secret: Secrets
  /**
   * Largest distance between `ts` and now, either direction.
   * Paddle's Node SDK allows only 5 s, and only for old timestamps. That is less than ordinary
   * clock skew plus queueing and TLS time, and a refused delivery is retried for days. The id
   * (`event_id`) is inside the signed body, so a replay within the window is still caught by
   * dedupe: 5 minutes, as Stripe, Mux and Standard Webhooks use, is the default.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=…]`, HMAC-SHA256 hex of
 * `ts:body` (colon). Any `h1` may match any secret (Paddle sends one per active secret while
 * you rotate; the SDK reads only the last one). Id the body's `event_id` (`notification_id`
 * changes per delivery), type `event_type`. Paddle waits 5 s and retries live events for 3 days.
 * Source: developer.paddle.com "Verify webhook signatures", "Handle webhook delivery".
 *
 * @example
 * import { paddle } from 'webhook-inbox/providers'
 * const provider = paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET })
 */
export function paddle<T = unknown>(options: PaddleOptions): Provider<T> {
  const keys = secretList(options?.secret, 'paddle')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'paddle')
  return defineProvider<T>({
    name: 'paddle',
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 3 * DAY,
    responseDeadlineMs: 5 * SECOND,
    info: {
      title: 'Paddle Billing',
      retries: 'any non-200, 60 times over 3 days in live mode (Paddle docs)',
      scheme: 'HMAC-SHA256 hex of `ts:body`, any `h1`',
      headers: ['Paddle-Signature'],
      id: 'body `event_id`',
      toleranceMs,
    },
    verify: (d) =>
      verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('paddle-signature'),
        secret: keys,
        now: d.now,
        toleranceMs,
        timestampKey: 'ts',
        signatureKey: 'h1',
        pairSeparator: ';',
        joiner: ':',
        provider: 'paddle',
      }),
    id: (_d, payload) => pick(payload, 'event_id'),
    type: (_d, payload) => pick(payload, 'event_type'),
  })
}
