import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link xero}. */
export interface XeroOptions {
  /** The app's webhook key; several while you rotate. */
  secret: Secrets
}

interface XeroPayload {
  events?: { eventCategory?: unknown; eventType?: unknown }[]
}

/**
 * Xero webhooks: `x-xero-signature: <base64 HMAC-SHA256 of the body>` keyed with the webhook key.
 * "Intent to Receive": Xero sends correctly and deliberately wrongly signed payloads with an
 * empty `events` list and keeps the webhook inactive unless the first get 200 and the others 401.
 * A well-signed empty batch is answered 200 with an empty body and not enqueued; a bad signature
 * gets 401 like any refusal. A batch (`events[]`) has no id of its own, so the id is the SHA-256
 * of the body; the type is the first event's `eventCategory.eventType` (`INVOICE.UPDATE`).
 * Sources: Xero-authored Intent to Receive gists and a third-party guide (Hookdeck). Xero asks
 * for an answer within 5 s; we could not confirm the figure.
 *
 * @example
 * import { xero } from 'webhook-inbox/providers'
 * const provider = xero({ secret: process.env.XERO_WEBHOOK_KEY })
 */
export function xero<T = unknown>(options: XeroOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'xero',
    retriedStatuses: RETRIES_5XX,
    retries: 'not documented; 5xx assumed',
    title: 'Xero',
    responseDeadlineMs: 5 * SECOND,
    signature: 'x-xero-signature',
    headers: ['x-xero-signature'],
    keys: secretList(options?.secret, 'xero'),
    algorithm: 'sha256',
    encoding: 'base64',
    idSource: 'SHA-256 of the body (one batch of `events[]`)',
    typeSource: 'body `events[0].eventCategory.eventType`',
    typeSigned: true,
    handshakeInfo: 'Intent to Receive: well-signed empty `events` → 200, bad signature → 401',
    type: (_d, payload) => {
      const first = (payload as XeroPayload | null)?.events?.[0]
      return first && typeof first.eventCategory === 'string' && typeof first.eventType === 'string'
        ? `${first.eventCategory}.${first.eventType}`
        : undefined
    },
    handshake: (_d, payload) => {
      const events = (payload as XeroPayload | null)?.events
      return Array.isArray(events) && events.length === 0 ? { status: 200, headers: {}, body: '' } : undefined
    },
  })
}
