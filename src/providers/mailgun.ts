import type { Provider, StatusRange } from '../types.js'
import { verifyEmbeddedHmac } from '../verifiers/embedded-hmac.js'
import { checkTolerance, fail, parseUnverifiedJson, type Secrets, secretList } from '../verifiers/shared.js'
import { type DeliveryContext, defineProvider, HOUR, parseForm, pick, tooManyFormFields } from './define.js'

/** Options of {@link mailgun}. */
export interface MailgunOptions {
  /** The HTTP webhook signing key (not the API key); several while you rotate. */
  secret: Secrets
  /**
   * Largest distance between the signed `timestamp` and now, either direction. The signature
   * covers only `timestamp + token`, not the event, so this window is how long a captured
   * signature could be reused. Mailgun warns its own processing can be delayed: raise it if you
   * see `timestamp_too_old` on genuine retries.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
}

type Fields = Record<string, unknown>

// "406 Not Acceptable: Mailgun will determine the webhook POST is rejected and not retry"; every
// other non-200 is retried (documentation.mailgun.com "Webhook retries").
const MAILGUN_RETRIES: readonly StatusRange[] = [
  [400, 405],
  [407, 599],
]

// Current webhooks post JSON with a `signature` object; legacy ones post the same three fields
// as form parameters (documentation.mailgun.com "Securing webhooks").
function parse(d: DeliveryContext): Fields {
  const type = d.header('content-type') ?? ''
  // Read before the signature is checked, so bounded: a few fields, shallow JSON.
  if (type.startsWith('application/x-www-form-urlencoded')) {
    if (tooManyFormFields(d.text())) throw new RangeError('too many form fields')
    return parseForm(d.text())
  }
  return parseUnverifiedJson(d.text()) as Fields
}

function signatureBlock(body: Fields): Fields {
  const block = body.signature
  return block !== null && typeof block === 'object' && !Array.isArray(block) ? (block as Fields) : body
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined

/**
 * Mailgun webhooks: the signature travels in the body: `signature.{timestamp, token, signature}`
 * where `signature` is hex HMAC-SHA256 of `timestamp + token` under the webhook signing key
 * (`parent-signature`, sent for subaccount domains, is accepted too). The event itself is not
 * signed: each delivery is also claimed under its signed `timestamp + token`, so one signature is
 * single-use and cannot carry a second event. Id `event-data.id`, type `event-data.event`; legacy form posts are accepted.
 * Mailgun retries for 8 h (5 min, 10 min, 15 min, 1 h, 2 h, 4 h); a 406 stops it.
 * Sources: documentation.mailgun.com "Securing webhooks", "Webhook retries".
 *
 * @example
 * import { mailgun } from 'webhook-inbox/providers'
 * const provider = mailgun({ secret: process.env.MAILGUN_WEBHOOK_SIGNING_KEY })
 */
export function mailgun<T = unknown>(options: MailgunOptions): Provider<T> {
  const keys = secretList(options?.secret, 'mailgun')
  const toleranceMs = checkTolerance(options.toleranceMs, 5 * 60_000, 'mailgun')
  return defineProvider<T>({
    name: 'mailgun',
    signatureHeaders: [],
    retriedStatuses: MAILGUN_RETRIES,
    retryWindowMs: 8 * HOUR,
    info: {
      title: 'Mailgun',
      retries: 'anything but 200 and 406, over 8 h; 406 is final (Mailgun docs)',
      scheme: 'HMAC-SHA256 hex of `timestamp + token`, inside the body',
      headers: [],
      id: 'body `event-data.id`',
      type: 'body `event-data.event` (not signed: only timestamp + token are)',
      typeSigned: false,
      toleranceMs,
    },
    verify: async (d) => {
      let body: Fields
      try {
        body = parse(d)
      } catch {
        return fail('missing_signature', 'the body is neither JSON nor a form, so it carries no signature.', 'mailgun')
      }
      if (body === null || typeof body !== 'object') {
        return fail('missing_signature', 'the body carries no signature.', 'mailgun')
      }
      const block = signatureBlock(body)
      const timestamp = text(block.timestamp)
      return verifyEmbeddedHmac({
        fields: [timestamp, text(block.token)],
        timestamp,
        signature: [text(block.signature), text(block['parent-signature'])],
        secret: keys,
        now: d.now,
        toleranceMs,
        provider: 'mailgun',
      })
    },
    body: parse,
    id: (_d, payload) => pick(payload, 'event-data.id'),
    type: (_d, payload) => pick(payload, 'event-data.event') ?? pick(payload, 'event'),
  })
}
