import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR } from './define.js'

/** Options of {@link mux}. */
export interface MuxOptions {
  /** The webhook's signing secret (one per endpoint); several while you rotate. */
  secret: Secrets
  /** Either direction; @mux/mux-node checks only the past side. @default 300000 (5 minutes, as the SDK) */
  toleranceMs?: number
}

/**
 * Mux: `mux-signature: t=<unix s>,v1=<hex>`, HMAC-SHA256 hex of `t.body`, any `v1`. Id the
 * body's `id`, type `type` (`video.asset.ready`, …). Mux retries for 24 hours and may send
 * duplicates even after a 2xx. Source: docs.mux.com "Verify webhook signatures", "Listen for
 * webhooks".
 *
 * @example
 * import { mux } from 'webhook-inbox/providers'
 * const provider = mux({ secret: process.env.MUX_WEBHOOK_SECRET })
 */
export function mux<T = unknown>(options: MuxOptions): Provider<T> {
  const keys = secretList(options?.secret, 'mux')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'mux')
  return defineProvider<T>({
    name: 'mux',
    idSigned: true,
    signatureHeaders: ['mux-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: DAY,
    info: {
      title: 'Mux',
      retries: 'any non-2xx, for 24 h (Mux docs)',
      scheme: 'HMAC-SHA256 hex of `t.body`, any `v1`',
      headers: ['mux-signature'],
      id: 'body `id`',
      type: 'body `type`',
      typeSigned: true,
      toleranceMs,
    },
    verify: (d) =>
      verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('mux-signature'),
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'mux',
      }),
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
