import { fromUtf8 } from '../crypto/encoding.js'
import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { checkTolerance, fail, presentEntries } from '../verifiers/shared.js'
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
  webhookId: string | undefined | readonly (string | undefined)[]
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
   * Asks PayPal too, after the offline check passed: post `request` as JSON to
   * `POST /v1/notifications/verify-webhook-signature` with your OAuth access token and resolve
   * `true` when PayPal answers `verification_status: "SUCCESS"`. PayPal then judges the event
   * itself, which the offline scheme binds only by CRC-32. A `false` refuses the delivery (401); a
   * throw answers 500, so PayPal retries. Costs one PayPal API call per delivery.
   */
  verifyWithPayPal?: (request: PayPalVerifyWebhookSignatureRequest) => Promise<boolean>
  /**
   * Largest distance between `PAYPAL-TRANSMISSION-TIME` and now, either direction. Each retry is
   * a new transmission with its own time (PayPal does not say so; we assume it from the
   * transmission id changing on retries).
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

/** What PayPal's `POST /v1/notifications/verify-webhook-signature` takes, for {@link PayPalOptions.verifyWithPayPal}. */
export interface PayPalVerifyWebhookSignatureRequest {
  auth_algo: string
  cert_url: string
  transmission_id: string
  transmission_sig: string
  transmission_time: string
  webhook_id: string
  webhook_event: unknown
}

/**
 * PayPal REST webhooks, verified offline: `PAYPAL-TRANSMISSION-SIG` is base64 RSA-SHA256
 * (`PAYPAL-AUTH-ALGO: SHA256withRSA`) over `transmissionId|transmissionTime|webhookId|crc32`,
 * where crc32 is the unsigned decimal CRC-32 of the raw body, with the certificate at
 * `PAYPAL-CERT-URL`, fetched only from a PayPal host and cached (developer.paypal.com "Webhooks:
 * verify signature"; PayPal has no shared secret, so HMAC snippets found online are wrong).
 *
 * The offline scheme binds the body only through its CRC-32, which is linear: anyone holding one
 * captured delivery can write another body with the same CRC-32, and the signature still
 * verifies. So the event's `id` is not trusted on its own: every delivery is also claimed under
 * its signed string (transmission id, time, webhook id, CRC-32), which makes one captured
 * signature single-use, whatever body it carries. For a check of the event itself, pass
 * `verifyWithPayPal` (PayPal's verify-webhook-signature API), or fetch the event by id from
 * PayPal in your worker before acting on it.
 *
 * The id is the event's `id` (`WH-…`; the transmission id changes on each retry), the type its
 * `event_type`. PayPal retries up to 25 times over 3 days.
 *
 * @example
 * import { paypal } from 'webhook-inbox/providers'
 * const provider = paypal({ webhookId: process.env.PAYPAL_WEBHOOK_ID })
 */
export function paypal<T = unknown>(options: PayPalOptions): Provider<T> {
  const ids = presentEntries(options?.webhookId) as readonly string[]
  configInvariant(
    ids.length > 0 && ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9_-]+$/.test(id)),
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
    signatureHeaders: ['paypal-transmission-sig'],
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
      type: 'body `event_type` (bound only by CRC-32)',
      typeSigned: false,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyPayPal({
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
      })
      if (!result.ok || !options.verifyWithPayPal) return result
      let event: unknown
      try {
        event = JSON.parse(d.text())
      } catch {
        return fail('invalid_body', 'the signature is valid but the body is not JSON.', 'paypal')
      }
      // The signed string ends in `|webhookId|crc32`; its webhook id is the one that matched.
      const signed = fromUtf8(result.signedMaterial).split('|')
      const confirmed = await options.verifyWithPayPal({
        auth_algo: d.header('paypal-auth-algo') as string,
        cert_url: d.header('paypal-cert-url') as string,
        transmission_id: d.header('paypal-transmission-id') as string,
        transmission_sig: d.header('paypal-transmission-sig') as string,
        transmission_time: d.header('paypal-transmission-time') as string,
        webhook_id: signed[signed.length - 2] as string,
        webhook_event: event,
      })
      return confirmed === true
        ? result
        : fail('invalid_signature', 'PayPal’s verify-webhook-signature API did not confirm this event.', 'paypal')
    },
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'event_type'),
  })
}
