import { concatBytes, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import {
  checkTimestamp,
  checkTolerance,
  decodeSignature,
  encodeSignature,
  fail,
  HASH_LENGTH,
  HASHES,
  type HmacAlgorithm,
  hmacMatches,
  parseInteger,
  type SchemeResult,
  type Secret,
  type Secrets,
  type SignatureEncoding,
  secretList,
  type ToleranceOptions,
} from './shared.js'

/** Options of {@link verifyEmbeddedHmac}: a signature carried inside the body, over some of its fields. */
export interface EmbeddedHmacOptions extends ToleranceOptions {
  /** The signed values, concatenated with no separator in this order (Mailgun: `[timestamp, token]`). */
  fields: readonly (string | undefined)[]
  /** The signature value(s) found next to them; any may match (Mailgun adds `parent-signature` for subaccounts). */
  signature: string | undefined | readonly (string | undefined)[]
  /** Unix seconds to check against `now`; leave out when the scheme has no timestamp. */
  timestamp?: string | undefined
  secret: Secrets
  /** Current time, epoch milliseconds. */
  now: number
  /** @default 'sha256' */
  algorithm?: HmacAlgorithm
  /** @default 'hex' */
  encoding?: SignatureEncoding
  provider?: string
}

const DEFAULT_TOLERANCE_MS = 300_000

/**
 * Verifies an HMAC that travels inside the body over a few of its fields (Mailgun:
 * hex HMAC-SHA256 of `timestamp + token`). The rest of the body is NOT covered, so the
 * timestamp check (both directions, default 5 minutes) and dedupe are the only guards
 * against a captured signature being reused.
 *
 * @example
 * import { verifyEmbeddedHmac } from 'webhook-inbox/verifiers'
 * const { signature: s } = JSON.parse(new TextDecoder().decode(rawBody))
 * const result = await verifyEmbeddedHmac({ fields: [s.timestamp, s.token], timestamp: s.timestamp,
 *   signature: s.signature, secret: process.env.MAILGUN_SIGNING_KEY, now: Date.now() })
 */
export async function verifyEmbeddedHmac(
  options: EmbeddedHmacOptions,
): Promise<SchemeResult<{ timestamp?: number; signedMaterial: Uint8Array }>> {
  const { provider, encoding = 'hex', algorithm = 'sha256' } = options
  const keys = secretList(options.secret, provider)
  const tolerance = checkTolerance(options.toleranceMs, DEFAULT_TOLERANCE_MS, provider)
  // These values come out of a parsed body, so any JSON type can arrive where a string belongs.
  const signatures = (Array.isArray(options.signature) ? options.signature : [options.signature])
    .map((value: unknown) => (typeof value === 'string' ? value.trim() : ''))
    .filter((value) => value !== '')
  if (signatures.length === 0) return fail('missing_signature', 'the body carries no signature.', provider)
  if (options.fields.some((field) => typeof field !== 'string' || field === '')) {
    return fail('malformed_signature', 'a signed field next to the signature is missing.', provider)
  }
  let timestamp: number | undefined
  if ('timestamp' in options) {
    if (!options.timestamp) return fail('missing_timestamp', 'the signed timestamp is missing.', provider)
    const seconds = typeof options.timestamp === 'string' ? parseInteger(options.timestamp) : undefined
    if (seconds === undefined) return fail('malformed_timestamp', 'the signed timestamp is not unix seconds.', provider)
    timestamp = seconds * 1000
    const stale = checkTimestamp(timestamp, options.now, tolerance, provider)
    if (stale) return stale
  }
  const candidates = signatures
    .map((value) => decodeSignature(value, encoding))
    .filter((value): value is Uint8Array => value !== undefined && value.length === HASH_LENGTH[algorithm])
  if (candidates.length === 0) {
    return fail('malformed_signature', `the signature is not a ${encoding} ${algorithm} HMAC.`, provider)
  }
  const material = concatBytes(...(options.fields as string[]).map(utf8))
  if (!(await hmacMatches(algorithm, keys, material, candidates))) {
    return fail('invalid_signature', 'the signature does not match: check the signing key.', provider)
  }
  return timestamp === undefined
    ? { ok: true, signedMaterial: material }
    : { ok: true, timestamp, signedMaterial: material }
}

/** Signs like {@link verifyEmbeddedHmac} verifies, for tests and for your own outgoing webhooks. */
export async function signEmbeddedHmac(options: {
  fields: readonly string[]
  secret: Secret
  algorithm?: HmacAlgorithm
  encoding?: SignatureEncoding
}): Promise<string> {
  const [key] = secretList(options.secret)
  const mac = await getCrypto().hmac(
    HASHES[options.algorithm ?? 'sha256'],
    key as Uint8Array,
    concatBytes(...options.fields.map(utf8)),
  )
  return encodeSignature(mac, options.encoding ?? 'hex')
}
