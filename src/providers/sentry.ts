import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { pick, RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link sentry}. */
export interface SentryOptions {
  /** The integration's client secret; several while you rotate. */
  secret: Secrets
}

/**
 * Sentry integration-platform webhooks: `Sentry-Hook-Signature: <hex HMAC-SHA256 of the body>`
 * keyed with the integration's client secret. Id `Request-ID`; type `Sentry-Hook-Resource`
 * plus the body's `action` (`issue.created`). `Sentry-Hook-Timestamp` is not signed, so it is
 * not trusted. Sentry expects an answer within 1 s (docs.sentry.io, changelog 2023-10-03), so
 * the default enqueue timeout is 500 ms; its retries are not documented.
 *
 * @example
 * import { sentry } from 'webhook-inbox/providers'
 * const provider = sentry({ secret: process.env.SENTRY_CLIENT_SECRET })
 */
export function sentry<T = unknown>(options: SentryOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'sentry',
    retriedStatuses: RETRIES_5XX,
    retries: 'not documented; 5xx assumed',
    title: 'Sentry',
    responseDeadlineMs: 1 * SECOND,
    signature: 'sentry-hook-signature',
    headers: ['Sentry-Hook-Signature', 'Request-ID', 'Sentry-Hook-Resource'],
    keys: secretList(options?.secret, 'sentry'),
    algorithm: 'sha256',
    encoding: 'hex',
    idSource: '`Request-ID` header',
    typeSource: '`Sentry-Hook-Resource` header + body `action`',
    typeSigned: false,
    handshakeInfo: '`installation` events (accepted like any event)',
    id: (d) => d.header('request-id'),
    type: (d, payload) => {
      const resource = d.header('sentry-hook-resource')
      const action = pick(payload, 'action')
      return resource && action ? `${resource}.${action}` : resource
    },
  })
}
