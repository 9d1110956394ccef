import { fromBase64, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import { fail, type SchemeResult, type Secrets, secretList } from './shared.js'

/**
 * True when `received` equals any of `expected`. Both sides are hashed with SHA-256 first and
 * the digests compared in constant time, so neither the content nor the length of a secret
 * shows in the timing. Every candidate is compared, whichever matched.
 *
 * @example
 * import { tokenMatches } from 'webhook-inbox/verifiers'
 * const ok = await tokenMatches(new TextEncoder().encode(received), [new TextEncoder().encode(expected)])
 */
export async function tokenMatches(received: Uint8Array, expected: readonly Uint8Array[]): Promise<boolean> {
  return tokenMatchesDigests(received, await tokenDigests(expected))
}

/**
 * The SHA-256 of each expected token, for {@link tokenMatchesDigests}: a scheme that checks many
 * tokens per request (Microsoft Graph's `clientState` per notification) hashes its secrets once.
 *
 * @example
 * import { tokenDigests, tokenMatchesDigests } from 'webhook-inbox/verifiers'
 * const digests = await tokenDigests([new TextEncoder().encode(expected)])
 * const ok = await tokenMatchesDigests(new TextEncoder().encode(received), digests)
 */
export async function tokenDigests(expected: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const crypto = getCrypto()
  return Promise.all(expected.map((key) => crypto.digest('SHA-256', key)))
}

/**
 * {@link tokenMatches} against digests made by {@link tokenDigests}. Every digest is compared,
 * whichever matched.
 *
 * @example
 * import { tokenDigests, tokenMatchesDigests } from 'webhook-inbox/verifiers'
 * const ok = await tokenMatchesDigests(received, await tokenDigests(expected))
 */
export async function tokenMatchesDigests(received: Uint8Array, digests: readonly Uint8Array[]): Promise<boolean> {
  const crypto = getCrypto()
  const digest = await crypto.digest('SHA-256', received)
  let matched = false
  for (const expected of digests) {
    if (crypto.timingSafeEqual(digest, expected)) matched = true
  }
  return matched
}

/** Options of {@link verifySharedToken}. */
export interface SharedTokenOptions {
  /** The token as received (a header value, a body field), `undefined` when absent. */
  token: string | undefined
  /** The expected token(s); several while you rotate. */
  secret: Secrets
  /** Where the token was read, for messages, e.g. `the X-Gitlab-Token header`. @default 'the token' */
  source?: string
  provider?: string
}

/**
 * Verifies a shared token sent verbatim (GitLab `X-Gitlab-Token`, Microsoft Graph `clientState`,
 * Meta `hub.verify_token`), compared in constant time. A shared token proves who sent the
 * request but not what it contains: the body is not covered and nothing stops a replay.
 *
 * @example
 * import { verifySharedToken } from 'webhook-inbox/verifiers'
 * const result = await verifySharedToken({ token: req.headers['x-gitlab-token'],
 *   secret: process.env.GITLAB_WEBHOOK_TOKEN, source: 'the X-Gitlab-Token header' })
 */
export async function verifySharedToken(options: SharedTokenOptions): Promise<SchemeResult> {
  const { provider, source = 'the token' } = options
  const keys = secretList(options.secret, provider)
  // A body field (Graph `clientState`) can hold any JSON type; only a string can match.
  const token: unknown = options.token
  if (typeof token !== 'string' || token.trim() === '')
    return fail('missing_signature', `${source} is missing.`, provider)
  if (!(await tokenMatches(utf8(token), keys))) {
    return fail('invalid_token', `${source} does not match the configured secret.`, provider)
  }
  return { ok: true }
}

/** Options of {@link verifyBasicAuth}. */
export interface BasicAuthOptions {
  /** The `Authorization` header as received. */
  authorization: string | undefined
  /** Expected credentials as `user:password`; several while you rotate. */
  secret: Secrets
  provider?: string
}

/**
 * Turns `user:password` secrets into the bytes {@link verifyBasicAuth} compares. Throws
 * `WebhookConfigError` for one without a colon.
 *
 * @example
 * import { basicAuthCredentials } from 'webhook-inbox/verifiers'
 * const credentials = basicAuthCredentials(['hooks:new password', 'hooks:old password'])
 */
export function basicAuthCredentials(secret: Secrets, provider?: string): Uint8Array[] {
  const keys = secretList(secret, provider)
  for (const key of keys) {
    configInvariant(
      key.includes(0x3a),
      '`secret` must be the credentials as "user:password" (the part before "@" in the URL you gave the provider).',
      provider,
    )
  }
  return keys
}

/**
 * Verifies HTTP Basic credentials (`Authorization: Basic base64(user:password)`), as Postmark
 * sends them when the webhook URL carries `user:password@`. Compared in constant time.
 *
 * @example
 * import { verifyBasicAuth } from 'webhook-inbox/verifiers'
 * const result = await verifyBasicAuth({ authorization: req.headers.authorization,
 *   secret: `${process.env.HOOK_USER}:${process.env.HOOK_PASSWORD}` })
 */
export async function verifyBasicAuth(options: BasicAuthOptions): Promise<SchemeResult> {
  const { provider } = options
  const keys = basicAuthCredentials(options.secret, provider)
  const header = options.authorization?.trim()
  if (!header) return fail('missing_signature', 'the Authorization header is missing.', provider)
  const match = /^basic[ \t]+([A-Za-z0-9+/=_-]+)$/i.exec(header)
  const decoded = match ? fromBase64(match[1] as string) : undefined
  if (!decoded || decoded.length === 0) {
    return fail('malformed_signature', 'the Authorization header is not Basic credentials.', provider)
  }
  if (!(await tokenMatches(decoded, keys))) {
    return fail('invalid_token', 'the Basic credentials do not match the configured secret.', provider)
  }
  return { ok: true }
}
