import type { Provider } from '../types.js'
import { verifyHmac } from '../verifiers/hmac.js'
import { checkTimestamp, checkTolerance, fail, type Secrets, secretList } from '../verifiers/shared.js'
import { defineProvider, HOUR, pick, RETRIES_5XX, SECOND } from './define.js'

/** Options of {@link linear}. */
export interface LinearOptions {
  /** The webhook's signing secret; several while you rotate. */
  secret: Secrets
  /**
   * Largest distance between the body's `webhookTimestamp` and now, either direction.
   * @default 60000 (60 s, as @linear/sdk)
   */
  toleranceMs?: number
}

/**
 * Linear webhooks: `Linear-Signature: <hex HMAC-SHA256 of the body>`; the replay guard is the
 * body's `webhookTimestamp` (epoch ms, inside the signed bytes), within ±60 s as @linear/sdk
 * checks it. The `Linear-Timestamp` header is not signed and not read. Id `Linear-Delivery`,
 * type the body's `type` (`Issue`, `Comment`, ...). Sources: @linear/sdk 98 `LinearWebhookClient`
 * (checked against it); `Linear-Delivery` from third-party guides. Linear's docs give retries
 * after about 1 min, 1 h and 6 h and a 5 s deadline, which we could not confirm; we assume them.
 *
 * @example
 * import { linear } from 'webhook-inbox/providers'
 * const provider = linear({ secret: process.env.LINEAR_WEBHOOK_SECRET })
 */
export function linear<T = unknown>(options: LinearOptions): Provider<T> {
  const keys = secretList(options?.secret, 'linear')
  const toleranceMs = checkTolerance(options.toleranceMs, 60 * SECOND, 'linear')
  return defineProvider<T>({
    name: 'linear',
    signatureHeaders: ['linear-signature'],
    retriedStatuses: RETRIES_5XX,
    retryWindowMs: 8 * HOUR,
    responseDeadlineMs: 5 * SECOND,
    info: {
      title: 'Linear',
      retries: 'not confirmed; 5xx assumed',
      scheme: 'HMAC-SHA256 hex of the body; body `webhookTimestamp` (ms)',
      headers: ['Linear-Signature', 'Linear-Delivery'],
      id: '`Linear-Delivery` header',
      type: 'body `type`',
      typeSigned: true,
      toleranceMs,
    },
    verify: async (d) => {
      const signed = await verifyHmac({
        payload: d.bytes,
        signature: d.header('linear-signature'),
        secret: keys,
        provider: 'linear',
      })
      if (!signed.ok) return signed
      let stamp: unknown
      try {
        stamp = (JSON.parse(d.text()) as { webhookTimestamp?: unknown } | null)?.webhookTimestamp
      } catch {
        return fail('invalid_body', 'the signature is valid but the body is not JSON.', 'linear')
      }
      if (stamp === undefined || stamp === null) {
        return fail('missing_timestamp', 'the body has no webhookTimestamp.', 'linear')
      }
      if (typeof stamp !== 'number' || !Number.isFinite(stamp)) {
        return fail('malformed_timestamp', 'webhookTimestamp is not epoch milliseconds.', 'linear')
      }
      return checkTimestamp(stamp, d.now, toleranceMs, 'linear') ?? { ok: true, timestamp: stamp }
    },
    id: (d) => d.header('linear-delivery'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
