import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { MINUTE, pick, RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link intercom}. */
export interface IntercomOptions {
  /** The app's client secret from the Intercom Developer Hub; several while you rotate. */
  secret: Secrets
}

/**
 * Intercom webhooks: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>` keyed with the app's
 * client secret. Id is the notification's `id`, type its `topic`; the `ping` notification sent
 * when the webhook is saved is accepted like any event. Sources: a third-party guide (Hookdeck) and Intercom
 * gists. Intercom does not document its timing where we could read it; we assume it waits about
 * 5 s and retries once after about a minute.
 *
 * @example
 * import { intercom } from 'webhook-inbox/providers'
 * const provider = intercom({ secret: process.env.INTERCOM_CLIENT_SECRET })
 */
export function intercom<T = unknown>(options: IntercomOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'intercom',
    retriedStatuses: RETRIES_5XX,
    retries: 'once after about a minute, not confirmed; 5xx assumed',
    title: 'Intercom',
    retryWindowMs: 2 * MINUTE,
    responseDeadlineMs: 5 * SECOND,
    signature: 'x-hub-signature',
    headers: ['X-Hub-Signature'],
    keys: secretList(options?.secret, 'intercom'),
    algorithm: 'sha1',
    encoding: 'hex',
    prefix: 'sha1=',
    idSource: 'body `id`',
    typeSource: 'body `topic`',
    typeSigned: true,
    idSigned: true,
    handshakeInfo: '`ping` topic (accepted like any event)',
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'topic'),
  })
}
