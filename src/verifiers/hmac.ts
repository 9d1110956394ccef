import { getCrypto } from '../crypto/index.js'
import { bodyBytes } from '../request.js'
import {
  decodeSignature,
  encodeSignature,
  fail,
  HASH_LENGTH,
  HASHES,
  type HmacAlgorithm,
  hmacMatches,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  type SignatureEncoding,
  secretList,
} from './shared.js'

/** Options of {@link verifyHmac}: a plain HMAC of the payload, written in one header. */
export interface HmacSchemeOptions {
  /** The signed bytes: the raw body, exactly as received. */
  payload: Uint8Array | string
  /** The header value as received (`undefined` when the header is missing). */
  signature: string | undefined
  /** Signing secret(s); any of them may have signed. */
  secret: Secrets
  /** @default 'sha256' */
  algorithm?: HmacAlgorithm
  /** @default 'hex' */
  encoding?: SignatureEncoding
  /** Text before the signature, such as `sha256=`. Matched case-insensitively. @default '' */
  prefix?: string
  /** Name used in error messages. */
  provider?: string
}

/**
 * Verifies a plain HMAC of the raw body (GitHub, Shopify, and most "Family A" providers).
 *
 * @example
 * import { verifyHmac } from 'webhook-inbox/verifiers'
 * const result = await verifyHmac({ payload: rawBody, signature: req.headers['x-hub-signature-256'],
 *   secret: process.env.GITHUB_WEBHOOK_SECRET, prefix: 'sha256=' })
 * if (!result.ok) console.log(result.error.code)
 */
export async function verifyHmac(options: HmacSchemeOptions): Promise<SchemeResult> {
  const { provider, prefix = '', encoding = 'hex', algorithm = 'sha256' } = options
  const keys = secretList(options.secret, provider)
  const header = options.signature?.trim()
  if (!header) return fail('missing_signature', 'the signature header is missing.', provider)
  if (header.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
    return fail('malformed_signature', `the signature does not start with "${prefix}".`, provider)
  }
  const candidate = decodeSignature(header.slice(prefix.length), encoding)
  const expectedLength = HASH_LENGTH[algorithm]
  if (!candidate || candidate.length !== expectedLength) {
    return fail('malformed_signature', `the signature is not a ${encoding} ${algorithm} HMAC.`, provider)
  }
  const matched = hmacMatches(algorithm, keys, bodyBytes(options.payload), [candidate])
  const ok = typeof matched === 'boolean' ? matched : await matched
  return ok ? { ok: true } : fail('invalid_signature', `the signature does not match. ${RAW_BODY_HINT}`, provider)
}

/** Signs like {@link verifyHmac} verifies, for tests and for your own outgoing webhooks. */
export async function signHmac(options: {
  payload: Uint8Array | string
  secret: Secret
  algorithm?: HmacAlgorithm
  encoding?: SignatureEncoding
  prefix?: string
}): Promise<string> {
  const [key] = secretList(options.secret)
  const mac = await getCrypto().hmac(
    HASHES[options.algorithm ?? 'sha256'],
    key as Uint8Array,
    bodyBytes(options.payload),
  )
  return (options.prefix ?? '') + encodeSignature(mac, options.encoding ?? 'hex')
}
