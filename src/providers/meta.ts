import { utf8 } from '../crypto/encoding.js'
import { WebhookVerificationError } from '../errors.js'
import type { Provider } from '../types.js'
import { type Secrets, secretList } from '../verifiers/shared.js'
import { tokenMatches } from '../verifiers/shared-token.js'
import { plainText, queryParam } from './challenge.js'
import { DAY, pick, RETRIES_5XX } from './define.js'
import { hmacBodyProvider } from './hmac-body.js'

/** Options of {@link meta}. */
export interface MetaOptions {
  /** The App Secret (App Dashboard → Settings → Basic); several while you rotate. */
  secret: Secrets
  /**
   * The Verify Token you typed when subscribing the callback URL; `GET hub.challenge` requests
   * are answered only when `hub.verify_token` equals it (compared in constant time). Without it,
   * every verification GET gets 403.
   */
  verifyToken?: Secrets
}

/**
 * Meta webhooks (Facebook Pages, Instagram, Messenger, WhatsApp Cloud API).
 * Verification: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` is answered 200
 * with the challenge as `text/plain` when the token matches, 403 otherwise; the handler accepts
 * GET for this preset. Events: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` keyed
 * with the App Secret, over the bytes as sent (Meta escapes unicode; never re-serialise).
 * A delivery batches `entry[]` items and has no id of its own, so the id is the SHA-256 of the
 * body; the type is the body's `object` (`page`, `whatsapp_business_account`, ...).
 * Sources: developers.facebook.com Messenger webhook reference (verification requests, event
 * notifications). Meta does not document its retry schedule precisely; we assume up to about
 * 36 h, and about 7 days for WhatsApp, and the retention follows the longer.
 *
 * @example
 * import { meta } from 'webhook-inbox/providers'
 * const provider = meta({ secret: process.env.META_APP_SECRET, verifyToken: process.env.META_VERIFY_TOKEN })
 */
export function meta<T = unknown>(options: MetaOptions): Provider<T> {
  const verifyTokens = options?.verifyToken === undefined ? [] : secretList(options.verifyToken, 'meta', 'verifyToken')
  return hmacBodyProvider<T>({
    name: 'meta',
    retriedStatuses: RETRIES_5XX,
    retries: 'for up to about 36 h, statuses not confirmed; 5xx assumed',
    title: 'Meta (Facebook, Instagram, WhatsApp)',
    methods: ['GET', 'POST'],
    retryWindowMs: 7 * DAY,
    signature: 'x-hub-signature-256',
    headers: ['X-Hub-Signature-256'],
    keys: secretList(options?.secret, 'meta'),
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    idSource: 'SHA-256 of the body (one batch of `entry[]`)',
    typeSource: 'body `object`',
    typeSigned: true,
    // Meta also sends the SHA-1 `X-Hub-Signature`.
    signatureHeaders: ['x-hub-signature-256', 'x-hub-signature'],
    handshakeInfo: '`GET hub.challenge` when `hub.verify_token` matches (else 403)',
    beforeVerify: async (d) => {
      if (d.method !== 'GET') return undefined
      const token = queryParam(d, 'hub.verify_token')
      const challenge = queryParam(d, 'hub.challenge')
      const ok =
        queryParam(d, 'hub.mode') === 'subscribe' &&
        challenge !== undefined &&
        token !== undefined &&
        verifyTokens.length > 0 &&
        (await tokenMatches(utf8(token), verifyTokens))
      if (ok) return plainText(challenge as string)
      return new WebhookVerificationError(
        'invalid_token',
        verifyTokens.length === 0
          ? 'a verification GET arrived but no `verifyToken` is configured: pass the Verify Token you gave Meta.'
          : 'the verification GET does not carry hub.mode=subscribe and the configured hub.verify_token.',
        { provider: 'meta', status: 403 },
      )
    },
    type: (_d, payload) => pick(payload, 'object'),
  })
}
