import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { pick, RETRIES_5XX } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link typeform}. */
export interface TypeformOptions {
  /** The webhook's secret; several while you rotate. */
  secret: Secrets
}

/**
 * Typeform webhooks: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>` (base64,
 * not hex, behind a `sha256=` prefix). Id `event_id`, type `event_type` (`form_response`).
 * Sources: third-party guides (Hookdeck, Trigger.dev), checked against Typeform's signature
 * example. Typeform does not document its retry window where we could read it (we believe it is
 * a few hours), so the 24 h retention floor applies.
 *
 * @example
 * import { typeform } from 'webhook-inbox/providers'
 * const provider = typeform({ secret: process.env.TYPEFORM_WEBHOOK_SECRET })
 */
export function typeform<T = unknown>(options: TypeformOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'typeform',
    retriedStatuses: RETRIES_5XX,
    retries: 'not confirmed (410 and 404 may disable the webhook); 5xx assumed',
    title: 'Typeform',
    signature: 'typeform-signature',
    headers: ['Typeform-Signature'],
    keys: secretList(options?.secret, 'typeform'),
    algorithm: 'sha256',
    encoding: 'base64',
    prefix: 'sha256=',
    idSource: 'body `event_id`',
    typeSource: 'body `event_type`',
    typeSigned: true,
    idSigned: true,
    id: (_d, payload) => pick(payload, 'event_id'),
    type: (_d, payload) => pick(payload, 'event_type'),
  })
}
