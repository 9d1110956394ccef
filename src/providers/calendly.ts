import type { Provider } from '../types.js'
import { checkTolerance, type Secrets, secretList } from '../verifiers/shared.js'
import { verifyTimestampedHeader } from '../verifiers/timestamped.js'
import { DAY, defineProvider, MINUTE, pick, RETRIES_ANY_ERROR, SECOND } from './define.js'

/** Options of {@link calendly}. */
export interface CalendlyOptions {
  /** The subscription's `signing_key`; several while you rotate. */
  secret: Secrets
  /** Either direction. @default 180000 (3 minutes, the tolerance of Calendly's published example) */
  toleranceMs?: number
}

/**
 * Calendly: `Calendly-Webhook-Signature: t=<unix s>,v1=<hex>`, HMAC-SHA256 hex of `t.body`
 * (developer.calendly.com "Webhook signatures"). Calendly sends no event id: the id is the
 * body's `event` and `payload.uri` (`invitee.created:https://api.calendly.com/…`), else the
 * SHA-256 of the body. Calendly waits 15 s and retries for 24 hours with back-off
 * (community.calendly.com developer FAQ); a 410 deletes the subscription.
 *
 * @example
 * import { calendly } from 'webhook-inbox/providers'
 * const provider = calendly({ secret: process.env.CALENDLY_WEBHOOK_SIGNING_KEY })
 */
export function calendly<T = unknown>(options: CalendlyOptions): Provider<T> {
  const keys = secretList(options?.secret, 'calendly')
  const toleranceMs = checkTolerance(options.toleranceMs, 3 * MINUTE, 'calendly')
  return defineProvider<T>({
    name: 'calendly',
    idSigned: true,
    signatureHeaders: ['calendly-webhook-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: DAY,
    responseDeadlineMs: 15 * SECOND,
    info: {
      title: 'Calendly',
      retries: 'any non-2xx, for 24 h (Calendly docs)',
      scheme: 'HMAC-SHA256 hex of `t.body`',
      headers: ['Calendly-Webhook-Signature'],
      id: 'body `event` + `payload.uri`',
      type: 'body `event`',
      typeSigned: true,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyTimestampedHeader({
        payload: d.bytes,
        header: d.header('calendly-webhook-signature'),
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'calendly',
      })
      // The fallback id is the body's hash, the same across re-signed retries.
      return result.ok ? { ok: true, timestamp: result.timestamp } : result
    },
    id: (_d, payload) => {
      const event = pick(payload, 'event')
      const uri = pick(payload, 'payload.uri')
      return event && uri ? `${event}:${uri}` : undefined
    },
    type: (_d, payload) => pick(payload, 'event'),
  })
}
