import { utf8 } from '../crypto/encoding.js'
import type { Provider } from '../types.js'
import { type EcdsaPublicKey, ecdsaP256PublicKeys, verifyTimestampedEcdsa } from '../verifiers/ecdsa.js'
import { checkTolerance } from '../verifiers/shared.js'
import { contextJson, type DeliveryContext, defineProvider, HOUR, MINUTE, pick, RETRIES_ANY_ERROR } from './define.js'

/** Options of {@link sendgrid}. */
export interface SendGridOptions {
  /** The Signed Event Webhook verification key (base64, from Mail Settings); several while you rotate. */
  publicKey: EcdsaPublicKey | undefined | readonly (EcdsaPublicKey | undefined)[]
  /**
   * Largest distance between `X-Twilio-Email-Event-Webhook-Timestamp` and now, either direction.
   * SendGrid's SDK checks none. Raise it (or pass `Infinity`) if your retries arrive with their
   * first timestamp: SendGrid does not say whether it signs each retry afresh; we assume it does.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

function batchIds(context: DeliveryContext): string[] | undefined {
  try {
    const events = contextJson(context)
    if (!Array.isArray(events) || events.length === 0) return undefined
    const ids: string[] = []
    for (const event of events) {
      const id = pick(event, 'sg_event_id')
      if (id === undefined) return undefined
      ids.push(id)
    }
    return ids.sort()
  } catch {
    return undefined
  }
}

/**
 * Twilio SendGrid Event Webhook (signed): `X-Twilio-Email-Event-Webhook-Signature`, base64 DER
 * ECDSA P-256 / SHA-256 over `X-Twilio-Email-Event-Webhook-Timestamp` + raw body, verified with
 * the base64 public key from Mail Settings (twilio.com/docs/sendgrid "Event Webhook security
 * features"; @sendgrid/eventwebhook). The body is a JSON array of events ending in CRLF: pass it
 * untouched.
 *
 * The id is the SHA-256 of the batch's sorted `sg_event_id`s, the same on every retry of the
 * batch; the type is the events' `event` when they share one, else `batch`. SendGrid retries for
 * up to 24 h (SendGrid's docs; not confirmed here).
 *
 * @example
 * import { sendgrid } from 'webhook-inbox/providers'
 * const provider = sendgrid({ publicKey: process.env.SENDGRID_WEBHOOK_VERIFICATION_KEY })
 */
export function sendgrid<T = unknown>(options: SendGridOptions): Provider<T> {
  const keys = ecdsaP256PublicKeys(options?.publicKey, 'sendgrid')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * MINUTE, 'sendgrid')
  return defineProvider<T>({
    name: 'sendgrid',
    signatureHeaders: ['x-twilio-email-event-webhook-signature'],
    retriedStatuses: RETRIES_ANY_ERROR,
    retryWindowMs: 24 * HOUR,
    info: {
      title: 'SendGrid',
      retries: 'any non-2xx, for up to 24 h',
      scheme: 'ECDSA P-256 (base64 DER) of timestamp + body',
      headers: ['X-Twilio-Email-Event-Webhook-Signature', 'X-Twilio-Email-Event-Webhook-Timestamp'],
      id: 'SHA-256 of the batch’s sorted `sg_event_id`s',
      type: 'body `event`',
      typeSigned: true,
      toleranceMs,
    },
    verify: async (d) => {
      const result = await verifyTimestampedEcdsa({
        payload: d.bytes,
        signature: d.header('x-twilio-email-event-webhook-signature'),
        timestamp: d.header('x-twilio-email-event-webhook-timestamp'),
        publicKey: keys,
        now: d.now,
        toleranceMs,
        provider: 'sendgrid',
      })
      if (!result.ok) return result
      const ids = batchIds(d)
      return {
        ok: true,
        timestamp: result.timestamp,
        signedMaterial: ids ? utf8(`sendgrid-events:${ids.join(',')}`) : d.bytes,
      }
    },
    type: (_d, payload) => {
      if (!Array.isArray(payload)) return undefined
      const types = new Set(payload.map((event) => pick(event, 'event') ?? ''))
      return types.size === 1 ? [...types][0] : 'batch'
    },
  })
}
