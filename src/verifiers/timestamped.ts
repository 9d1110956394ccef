import { concatBytes, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { bodyBytes } from '../request.js'
import {
  checkTimestamp,
  checkTolerance,
  decodeSignature,
  encodeSignature,
  fail,
  HASHES,
  type HmacAlgorithm,
  hmacMatches,
  MAX_SIGNATURE_ENTRIES,
  parseInteger,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  type SignatureEncoding,
  secretList,
  type ToleranceOptions,
  tooManySignatures,
  withJoinedSignedMaterial,
} from './shared.js'

/** The shape of a Stripe-style `key=value` signature header. Defaults are Stripe's. */
export interface TimestampedHeaderFormat {
  /** Key of the timestamp. @default 't' */
  timestampKey?: string
  /** Key of each signature; repeated keys are all tried (rotation). @default 'v1' */
  signatureKey?: string
  /** Between pairs: `,` (Stripe, Sanity, Mux, Calendly) or `;` (Paddle). @default ',' */
  pairSeparator?: string
  /** Between the timestamp and the body in the signed bytes: `.` (Stripe) or `:` (Paddle). @default '.' */
  joiner?: string
  /** Unit of the timestamp: seconds (Stripe) or milliseconds (Sanity). @default 's' */
  timestampUnit?: 's' | 'ms'
  /** @default 'sha256' */
  algorithm?: HmacAlgorithm
  /** @default 'hex' */
  encoding?: SignatureEncoding
  /**
   * Only the last signature key counts, as in Paddle's SDK (which overwrites earlier `h1=`).
   * @default false (every repeated key is tried, as Stripe does)
   */
  lastSignatureOnly?: boolean
  /**
   * Spaces around keys and values are ignored (`t=1, v1=…`), as @sanity/webhook ignores them.
   * @default false (Stripe's and Paddle's SDKs compare the keys exactly)
   */
  trimPairs?: boolean
}

/** Options of {@link verifyTimestampedHeader}. */
export interface TimestampedHeaderOptions extends TimestampedHeaderFormat, ToleranceOptions {
  payload: Uint8Array | string
  /** The header value as received, e.g. `t=1700000000,v1=5257a8...`. */
  header: string | undefined
  secret: Secrets
  /** Current time, epoch milliseconds. */
  now: number
  provider?: string
}

const DEFAULT_TOLERANCE_MS = 300_000

/**
 * Verifies a timestamped `key=value` signature header (Stripe `t=,v1=`, Paddle `ts=;h1=`,
 * Sanity, Mux, Calendly). Any repeated signature key may match any secret. The timestamp
 * is checked in both directions (`toleranceMs`, default 5 minutes).
 *
 * @example
 * import { verifyTimestampedHeader } from 'webhook-inbox/verifiers'
 * const result = await verifyTimestampedHeader({ payload: rawBody, header: req.headers['stripe-signature'],
 *   secret: process.env.STRIPE_WEBHOOK_SECRET, now: Date.now() })
 */
export async function verifyTimestampedHeader(
  options: TimestampedHeaderOptions,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  const keys = secretList(options.secret, provider)
  const tolerance = checkTolerance(options.toleranceMs, DEFAULT_TOLERANCE_MS, provider)
  const timestampKey = options.timestampKey ?? 't'
  const signatureKey = options.signatureKey ?? 'v1'
  const encoding = options.encoding ?? 'hex'
  const algorithm = options.algorithm ?? 'sha256'
  const header = options.header?.trim()
  if (!header) return fail('missing_signature', 'the signature header is missing.', provider)

  let timestampText: string | undefined
  const candidates: Uint8Array[] = []
  const pairs = header.split(options.pairSeparator ?? ',')
  // The timestamp and up to MAX_SIGNATURE_ENTRIES signatures (Stripe adds one per active secret).
  if (pairs.length > MAX_SIGNATURE_ENTRIES + 1) return tooManySignatures('the signature header', provider)
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at < 0) continue
    // Not trimmed: the SDKs split on the separator and compare keys exactly, so `t=1, v1=…`
    // carries no `v1` for them and none here.
    const key = options.trimPairs ? pair.slice(0, at).trim() : pair.slice(0, at)
    const value = options.trimPairs ? pair.slice(at + 1).trim() : pair.slice(at + 1)
    if (key === timestampKey) {
      if (timestampText !== undefined)
        return fail('malformed_signature', `the header has more than one "${timestampKey}=".`, provider)
      timestampText = value
    } else if (key === signatureKey) {
      const decoded = decodeSignature(value, encoding)
      if (options.lastSignatureOnly) candidates.length = 0
      if (decoded) candidates.push(decoded)
    }
  }
  if (timestampText === undefined)
    return fail('missing_timestamp', `the header has no "${timestampKey}=" timestamp.`, provider)
  const timestamp = parseInteger(timestampText)
  if (timestamp === undefined) return fail('malformed_timestamp', 'the header timestamp is not an integer.', provider)
  if (candidates.length === 0) {
    return fail('malformed_signature', `the header has no readable "${signatureKey}=" signature.`, provider)
  }
  const timestampMs = options.timestampUnit === 'ms' ? timestamp : timestamp * 1000
  const stale = checkTimestamp(timestampMs, options.now, tolerance, provider)
  if (stale) return stale

  // The timestamp part is hashed before the body rather than copied in front of it; the signed
  // bytes as one buffer are made only if a caller reads them.
  const prefix = utf8(timestampText + (options.joiner ?? '.'))
  const body = bodyBytes(options.payload)
  const matched = hmacMatches(algorithm, keys, body, candidates, prefix)
  const ok = typeof matched === 'boolean' ? matched : await matched
  return ok
    ? withJoinedSignedMaterial({ ok: true as const, timestamp: timestampMs }, prefix, body)
    : fail('invalid_signature', `no signature in the header matches. ${RAW_BODY_HINT}`, provider)
}

/** Builds a header that {@link verifyTimestampedHeader} accepts, for tests and outgoing webhooks. */
export async function signTimestampedHeader(
  options: TimestampedHeaderFormat & {
    payload: Uint8Array | string
    /** One secret, or several to write one signature each (as during a rotation). */
    secret: Secret | readonly Secret[]
    /** Timestamp in the header's unit (seconds unless `timestampUnit: 'ms'`). */
    timestamp: number
  },
): Promise<string> {
  const keys = secretList(options.secret)
  const joiner = options.joiner ?? '.'
  const message = concatBytes(utf8(String(options.timestamp) + joiner), bodyBytes(options.payload))
  const parts = [`${options.timestampKey ?? 't'}=${options.timestamp}`]
  for (const key of keys) {
    const mac = await getCrypto().hmac(HASHES[options.algorithm ?? 'sha256'], key, message)
    parts.push(`${options.signatureKey ?? 'v1'}=${encodeSignature(mac, options.encoding ?? 'hex')}`)
  }
  return parts.join(options.pairSeparator ?? ',')
}
