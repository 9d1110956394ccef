import { WebhookVerificationError } from '../errors.js'
import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { plainText, queryParam } from './challenge.js'
import { RETRIES_5XX, SECOND } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link dropbox}. */
export interface DropboxOptions {
  /** The app secret; several while you rotate. */
  secret: Secrets
}

/**
 * Dropbox API v2 webhooks. Verification: `GET ?challenge=<s>` is answered 200 with `<s>` as
 * `text/plain` and `X-Content-Type-Options: nosniff`, so the handler accepts GET for this preset.
 * Notifications: `X-Dropbox-Signature: <hex HMAC-SHA256 of the body>` keyed with the app secret.
 *
 * A notification only lists accounts that changed and carries no delivery id; two changes of one
 * account send identical bodies, so deduplicating on the body would drop the second one. Each
 * delivery therefore gets a fresh id, and your job should do what Dropbox asks: sync the account
 * (idempotent). Sources: the Dropbox webhooks reference (challenge, signature), read through
 * third-party copies. Dropbox asks for an answer within 10 s; we could not confirm the figure.
 *
 * @example
 * import { dropbox } from 'webhook-inbox/providers'
 * const provider = dropbox({ secret: process.env.DROPBOX_APP_SECRET })
 */
export function dropbox<T = unknown>(options: DropboxOptions): Provider<T> {
  return hmacBodyProvider<T>({
    name: 'dropbox',
    retriedStatuses: RETRIES_5XX,
    retries: 'not confirmed; 5xx assumed',
    title: 'Dropbox',
    methods: ['GET', 'POST'],
    responseDeadlineMs: 10 * SECOND,
    signature: 'x-dropbox-signature',
    headers: ['X-Dropbox-Signature'],
    keys: secretList(options?.secret, 'dropbox'),
    algorithm: 'sha256',
    encoding: 'hex',
    idSource: 'none sent: a fresh id per delivery',
    typeSource: 'the body’s top-level keys',
    typeSigned: true,
    // A fresh id is made up here, so nothing unsigned can steer it; identical bodies are distinct
    // notifications, so no key is derived from the body either.
    idSigned: true,
    handshakeInfo: '`GET ?challenge=` echoed as text/plain',
    beforeVerify: (d) => {
      if (d.method !== 'GET') return undefined
      const challenge = queryParam(d, 'challenge')
      if (challenge === undefined) {
        return new WebhookVerificationError(
          'invalid_body',
          'a GET must carry ?challenge= (the Dropbox endpoint check).',
          {
            provider: 'dropbox',
            status: 400,
          },
        )
      }
      return plainText(challenge)
    },
    id: () => `delivery:${globalThis.crypto.randomUUID()}`,
    type: (_d, payload) =>
      payload !== null && typeof payload === 'object' ? Object.keys(payload as object).join(',') : undefined,
  })
}
