import { configInvariant } from '../errors.js'
import type { Provider } from '../types.js'
import { verifyHmac } from '../verifiers/hmac.js'
import { fail, type Secrets, secretList } from '../verifiers/shared.js'
import { type DeliveryContext, defineProvider, pick, RETRIES_5XX } from './define.js'

/** Options of {@link notion}. */
export interface NotionOptions {
  /**
   * The subscription's `verification_token`, which is also its signing key; several while you
   * rotate. Leave it out only for the first deployment, to receive the token through
   * `onVerificationToken`.
   */
  secret?: Secrets
  /**
   * Receives the one-time `verification_token` Notion POSTs when the subscription is created
   * (unsigned: the token is the key). Log it or store it, paste it into Notion's "Verify" dialog,
   * then pass it as `secret`. A forged call cannot activate anything: Notion only accepts the
   * token it sent. Called only while no `secret` is configured: with one, the unsigned POST is
   * refused like any unsigned request (deploy without `secret` again to receive a new token).
   */
  onVerificationToken?: (token: string) => void | Promise<void>
}

function verificationToken(d: DeliveryContext): string | undefined {
  if (d.header('x-notion-signature') !== undefined || d.bytes.length > 4096) return undefined
  try {
    const body = JSON.parse(d.text()) as Record<string, unknown>
    return body && typeof body.verification_token === 'string' && body.type === undefined
      ? body.verification_token
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Notion integration webhooks: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the body>` keyed
 * with the subscription's `verification_token`. Id and type are the event's `id` and `type`.
 *
 * Setup handshake: Notion POSTs `{"verification_token": "secret_…"}` once, unsigned. While no
 * `secret` is configured it is answered 200, handed to `onVerificationToken`, and never
 * enqueued; once a `secret` is set it is refused like any unsigned request. Sources:
 * developers.notion.com "Webhooks", and a third-party guide (Hookdeck); Notion does not document
 * its retries.
 *
 * @example
 * import { notion } from 'webhook-inbox/providers'
 * const provider = notion({
 *   secret: process.env.NOTION_VERIFICATION_TOKEN,
 *   onVerificationToken: (token) => console.log('paste into Notion:', token),
 * })
 */
export function notion<T = unknown>(options: NotionOptions): Provider<T> {
  configInvariant(
    options?.secret !== undefined || typeof options?.onVerificationToken === 'function',
    '`secret` is missing: pass the verification_token of the subscription, or `onVerificationToken` to receive it on the first deployment.',
    'notion',
  )
  const keys = options.secret === undefined ? undefined : secretList(options.secret, 'notion')
  return defineProvider<T>({
    name: 'notion',
    idSigned: true,
    signatureHeaders: ['x-notion-signature'],
    retriedStatuses: RETRIES_5XX,
    info: {
      title: 'Notion',
      retries: 'not documented; 5xx assumed',
      scheme: 'HMAC-SHA256 hex of the body, `sha256=` prefix',
      headers: ['X-Notion-Signature'],
      id: 'body `id`',
      type: 'body `type`',
      typeSigned: true,
      handshake: 'one-time unsigned `verification_token` POST → 200 + `onVerificationToken`',
    },
    beforeVerify: async (d) => {
      // Once a secret is configured the hook is unreachable: an unsigned POST goes on to the
      // signature check (and is refused), so nobody can feed tokens to the application.
      if (keys) return undefined
      const token = verificationToken(d)
      if (token === undefined) return undefined
      await options.onVerificationToken?.(token)
      return { status: 200, headers: {}, body: '' }
    },
    verify: async (d) =>
      keys
        ? verifyHmac({
            payload: d.bytes,
            signature: d.header('x-notion-signature'),
            secret: keys,
            prefix: 'sha256=',
            provider: 'notion',
          })
        : fail(
            'invalid_signature',
            'no `secret` is configured yet: pass the verification_token as `secret`.',
            'notion',
          ),
    id: (_d, payload) => pick(payload, 'id'),
    type: (_d, payload) => pick(payload, 'type'),
  })
}
