import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { DAY, defineProvider, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link paddle}. */
export interface PaddleOptions {
  /** The notification destination's secret key (`pdl_ntfset_…`); several while you rotate. */
  secret: Secrets
  /**
   * Largest distance between `ts` and now, either direction. The default is the window of
   * Paddle's Node SDK (5 s, a timestamp exactly 5 s old still valid), so nothing the SDK refuses
   * is accepted. If clock skew or queueing in front of the handler refuses real deliveries,
   * raise it: the id (`event_id`) is inside the signed body, so dedupe still catches a replay.
   * @default 5000 (5 seconds, as @paddle/paddle-node-sdk)
   */
  toleranceMs?: number
}

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=…]`, HMAC-SHA256 hex of
 * `ts:body` (colon). Only the last `h1` counts, as in @paddle/paddle-node-sdk (which overwrites
 * earlier ones); it may match any configured secret. Id the body's `event_id` (`notification_id`
 * changes per delivery), type `event_type`. Paddle waits 5 s and retries live events for 3 days.
 * Source: developer.paddle.com "Verify webhook signatures", "Handle webhook delivery".
 *
 * @example
 * import { paddle } from 'webhook-inbox/providers'
 * const provider = paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET })
 */
export function paddle<T = unknown>(options: PaddleOptions): Provider<T> {
  const keys = secretList(options?.secret, 'paddle')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * SECOND, 'paddle')
  return defineProvider<T>({
    name: 'paddle',
    idSigned: true,
    signatureHeaders: ['paddle-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 3 * DAY,
    responseDeadlineMs: 5 * SECOND,
    info: {
      title: 'Paddle Billing',
      retries: 'any non-200, 60 times over 3 days in live mode (Paddle docs)',
      scheme: 'HMAC-SHA256 hex of `ts:body`, last `h1`',
      headers: ['Paddle-Signature'],
      id: 'body `event_id`',
      type: 'body `event_type`',
      typeSigned: true,
      toleranceMs,
    },
    verify: (d) =>
      verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('paddle-signature'),
        lastSignatureOnly: true,
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
