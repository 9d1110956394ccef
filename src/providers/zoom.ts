import { toHex, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import type { Provider } from '../types.js'
import { verifySeparateTimestamp } from '../verifiers/separate-timestamp.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { type DeliveryContext, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link zoom}. */
export interface ZoomOptions {
  /** The app's Secret Token (Event Subscriptions / Features page); several while you rotate. */
  secret: Secrets
  /**
   * Either direction. Zoom's own library checks no time at all; this keeps the replay guard.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/**
 * Zoom (Marketplace app event subscriptions): `x-zm-signature: v0=<hex>` HMAC-SHA256 of
 * `v0:<x-zm-request-timestamp>:<body>` keyed by the Secret Token, over the raw bytes (Zoom's
 * Rivet library re-serialises the parsed JSON; that breaks on any whitespace or escaping
 * difference, so the raw body is used).
 *
 * Handshake: `endpoint.url_validation` (sent when you save the URL and every 72 h) is verified
 * like any event, then answered `200 {"plainToken","encryptedToken"}` with encryptedToken =
 * hex HMAC-SHA256(secret that signed the request, plainToken) (developers.zoom.us "Using
 * webhooks", "Validate your webhook endpoint").
 *
 * Zoom sends no delivery id: the id is the SHA-256 of the body (a retry re-sends the same body).
 * Type the body's `event`. Zoom waits 3 s, then retries after 5, 20 and 60 minutes.
 *
 * @example
 * import { zoom } from 'webhook-inbox/providers'
 * const provider = zoom({ secret: process.env.ZOOM_WEBHOOK_SECRET_TOKEN })
 */
export function zoom<T = unknown>(options: ZoomOptions): Provider<T> {
  const keys = secretList(options?.secret, 'zoom')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'zoom')
  const signedBy = new WeakMap<DeliveryContext, Uint8Array>()
  return defineProvider<T>({
    name: 'zoom',
    signatureHeaders: ['x-zm-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 85 * MINUTE,
    responseDeadlineMs: 3 * SECOND,
    info: {
      title: 'Zoom',
      retries: 'anything but 200/204 within 3 s, 3 times (Zoom docs)',
      scheme: 'HMAC-SHA256 hex of `v0:timestamp:body`, `v0=` prefix',
      headers: ['x-zm-signature', 'x-zm-request-timestamp'],
      id: 'SHA-256 of the body',
      type: 'body `event`',
      typeSigned: true,
      handshake: '`endpoint.url_validation` (signed) → `plainToken` + `encryptedToken`',
      toleranceMs,
    },
    verify: async (d) => {
      // Zoom documents seconds; 'epoch' also reads milliseconds, told apart by size.
      const result = await verifySeparateTimestamp({
        payload: d.bytes,
        signature: d.header('x-zm-signature'),
        timestamp: d.header('x-zm-request-timestamp'),
        baseString: ({ timestamp }) => `v0:${timestamp}:`,
        prefix: 'v0=',
        timestampFormat: 'epoch',
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'zoom',
      })
      if (!result.ok) return result
      signedBy.set(d, keys[result.keyIndex] as Uint8Array)
      return { ok: true, timestamp: result.timestamp }
    },
    handshake: async (d, payload) => {
      if (pick(payload, 'event') !== 'endpoint.url_validation') return undefined
      const plainToken = pick(payload, 'payload.plainToken')
      const key = signedBy.get(d)
      if (plainToken === undefined || !key) return undefined
      const encryptedToken = toHex(await getCrypto().hmac('SHA-256', key, utf8(plainToken)))
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plainToken, encryptedToken }),
      }
    },
    type: (_d, payload) => pick(payload, 'event'),
  })
}
