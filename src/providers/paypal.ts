import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { checkTolerance } from '../verifiers/shared.js'
import {
  type CertificateFetch,
  certificateSource,
  type HostAllowList,
  hostAllowed,
  PAYPAL_CERTIFICATE_HOSTS,
  verifyPayPal,
} from '../verifiers/x509.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR } from './define.js'

/** Options of {@link paypal}. */
export interface PayPalOptions {
  /** The webhook id shown for this endpoint in the PayPal dashboard (part of the signed string); several while you move. */
  webhookId: string | readonly string[]
  /**
   * Downloads the certificate named in `PAYPAL-CERT-URL`; only URLs on `certificateHosts` reach it.
   * @default globalThis.fetch
   */
  fetch?: CertificateFetch
  /**
   * Hosts the certificate may come from (exact names or patterns), over HTTPS.
   * @default ['api.paypal.com', 'api-m.paypal.com', 'api.sandbox.paypal.com', 'api-m.sandbox.paypal.com']
   */
  certificateHosts?: HostAllowList
  /** Certificates kept in memory, by URL. @default 32 */
  certificateCacheSize?: number
  /** How long one certificate download may take before it counts as failed (and is not cached). @default 5000 */
  certificateTimeoutMs?: number
  /**
   * Largest distance between `PAYPAL-TRANSMISSION-TIME` and now, either direction. Each retry is
   * a new transmission with its own time [MEM, unconfirmed].
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/**
 * PayPal REST webhooks, verified offline: `PAYPAL-TRANSMISSION-SIG` is base64 RSA-SHA256
 * (`PAYPAL-AUTH-ALGO: SHA256withRSA`) over `transmissionId|transmissionTime|webhookId|crc32`,
 * where crc32 is the unsigned decimal CRC-32 of the raw body, with the certificate at
 * `PAYPAL-CERT-URL`, fetched only from a PayPal host and cached (developer.paypal.com "Webhooks:
 * verify signature"; PayPal has no shared secret, so HMAC snippets found online are wrong).
 *
 * The id is the event's `id` (`WH-…`; the transmission id changes on each retry), the type its
 * `event_type`. PayPal retries up to 25 times over 3 days.
 *
 * @example
 * import { paypal } from 'webhook-inbox/providers'
 * const provider = paypal({ webhookId: process.env.PAYPAL_WEBHOOK_ID })
 */
export function paypal<T = unknown>(options: PayPalOptions): Provider<T> {
  const ids = typeof options?.webhookId === 'string' ? [options.webhookId] : (options?.webhookId ?? [])
  configInvariant(
    Array.isArray(ids) && ids.length > 0 && ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9_-]+$/.test(id)),
    '`webhookId` is missing or malformed: pass the webhook id shown for this endpoint in the PayPal developer dashboard.',
    'paypal',
  )
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'paypal')
  const hosts = options.certificateHosts ?? PAYPAL_CERTIFICATE_HOSTS
  const certificates = certificateSource({
    fetch: options.fetch,
    allow: (url) => hostAllowed(url.hostname, hosts),
    cacheSize: options.certificateCacheSize,
    timeoutMs: options.certificateTimeoutMs,
    provider: 'paypal',
  })
  return defineProvider<T>({
    name: 'paypal',
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 3 * DAY,
    info: {
      title: 'PayPal',
      retries: 'any non-2xx, 25 times over 3 days (PayPal docs)',
      scheme: 'RSA-SHA256 of `id|time|webhookId|crc32(body)`, certificate from a PayPal host',
      headers: [
        'PAYPAL-TRANSMISSION-SIG',
        'PAYPAL-TRANSMISSION-ID',
        'PAYPAL-TRANSMISSION-TIME',
        'PAYPAL-CERT-URL',
        'PAYPAL-AUTH-ALGO',
      ],
      id: 'body `id`',
      toleranceMs,
    },
    verify: (d) =>
      verifyPayPal({
        payload: d.bytes,
        headers: {
          transmissionId: d.header('paypal-transmission-id'),
          transmissionTime: d.header('paypal-transmission-time'),
          transmissionSig: d.header('paypal-transmission-sig'),
          certUrl: d.header('paypal-cert-url'),
          authAlgo: d.header('paypal-auth-algo'),
        },
        webhookId: ids,
        certificates,
        now: d.now,
        toleranceMs,
        provider: 'paypal',
      }),
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'event_type'),
  })
}
