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
  matchingKeyIndex,
  parseInteger,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  type SignatureEncoding,
  secretList,
  type ToleranceOptions,
  withJoinedSignedMaterial,
} from './shared.js'

/** How the timestamp header is written. */
export type TimestampFormat =
  /** Unix seconds (Slack). */
  | 's'
  /** Unix milliseconds. */
  | 'ms'
  /** Seconds or milliseconds, told apart by size (Zoom). */
  | 'epoch'
  /** RFC 3339, any fraction of a second, `Z` or an offset (Twitch: nanoseconds). */
  | 'rfc3339'

/** What goes before the raw body in the signed bytes. */
export interface BaseStringParts {
  /** The timestamp header exactly as received. */
  timestamp: string
  /** The id header exactly as received, when the scheme signs one (Twitch). */
  id?: string
}

/** The shape of a "signature header + timestamp header + base string" scheme. */
export interface SeparateTimestampFormat {
  /**
   * Builds the bytes signed before the raw body: Slack and Zoom sign `v0:<timestamp>:<body>`
   * (`({ timestamp }) => \`v0:${timestamp}:\``), Twitch `<id><timestamp><body>`.
   */
  baseString: (parts: BaseStringParts) => string
  /** Text before the signature in its header: `v0=` (Slack, Zoom), `sha256=` (Twitch). @default '' */
  prefix?: string
  /** @default 'sha256' */
  algorithm?: HmacAlgorithm
  /** @default 'hex' */
  encoding?: SignatureEncoding
  /** @default 's' */
  timestampFormat?: TimestampFormat
}

/** Options of {@link verifySeparateTimestamp}. */
export interface SeparateTimestampOptions extends SeparateTimestampFormat, ToleranceOptions {
  payload: Uint8Array | string
  /** The signature header as received, e.g. `v0=a2114d57…`. */
  signature: string | undefined
  /** The timestamp header as received. */
  timestamp: string | undefined
  /** The id header, when the base string includes it (a missing one is refused when `requireId` is set). */
  id?: string | undefined
  /** Set when the scheme signs an id (Twitch), so a missing id header is refused. @default false */
  requireId?: boolean
  secret: Secrets
  /** Current time, epoch milliseconds. */
  now: number
  provider?: string
}

const DEFAULT_TOLERANCE_MS = 300_000
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/**
 * Parses a timestamp header to epoch milliseconds, or `undefined` when it is not in `format`.
 *
 * @example
 * import { parseTimestamp } from 'webhook-inbox/verifiers'
 * parseTimestamp('2026-11-27T12:00:00.123456789Z', 'rfc3339') // 1795780800123
 */
export function parseTimestamp(text: string, format: TimestampFormat): number | undefined {
  if (format === 'rfc3339') {
    const m = RFC3339.exec(text)
    if (!m) return undefined
    const [, y, mo, d, h, mi, s, fraction, , sign, oh, om] = m
    const month = Number(mo)
    const day = Number(d)
    if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
      return undefined
    }
    const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0
    const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0
    return Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), ms) - offset
  }
  const value = parseInteger(text)
  if (value === undefined) return undefined
  if (format === 'ms') return value
  if (format === 'epoch') return value >= 1e12 ? value : value * 1000
  return value * 1000
}

/**
 * Verifies a signature header and a separate timestamp header over a provider base string
 * followed by the raw body (Slack `v0:ts:body`, Zoom `v0:ts:body`, Twitch `id+ts+body`). The
 * timestamp is checked in both directions (`toleranceMs`, default 5 minutes). On success it
 * reports the signed timestamp, the signed bytes, and which secret matched (`keyIndex`).
 *
 * @example
 * import { verifySeparateTimestamp } from 'webhook-inbox/verifiers'
 * const result = await verifySeparateTimestamp({
 *   payload: rawBody, signature: h['x-slack-signature'], timestamp: h['x-slack-request-timestamp'],
 *   baseString: ({ timestamp }) => `v0:${timestamp}:`, prefix: 'v0=',
 *   secret: process.env.SLACK_SIGNING_SECRET, now: Date.now(),
 * })
 */
export async function verifySeparateTimestamp(
  options: SeparateTimestampOptions,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array; keyIndex: number }>> {
  const { provider } = options
  const keys = secretList(options.secret, provider)
  const tolerance = checkTolerance(options.toleranceMs, DEFAULT_TOLERANCE_MS, provider)
  const prefix = options.prefix ?? ''
  const header = options.signature?.trim()
  if (!header) return fail('missing_signature', 'the signature header is missing.', provider)
  const timestampText = options.timestamp?.trim()
  if (!timestampText) return fail('missing_timestamp', 'the timestamp header is missing.', provider)
  // Signed exactly as sent: a trimmed id would verify a header the dedupe key reads differently.
  const id = options.id
  if (options.requireId && !id) return fail('missing_header', 'the message id header is missing.', provider)
  if (!header.startsWith(prefix)) {
    return fail('malformed_signature', `the signature header does not start with "${prefix}".`, provider)
  }
  const candidate = decodeSignature(header.slice(prefix.length), options.encoding ?? 'hex')
  if (!candidate) return fail('malformed_signature', 'the signature header is not a readable signature.', provider)
  const timestampMs = parseTimestamp(timestampText, options.timestampFormat ?? 's')
  if (timestampMs === undefined) {
    return fail('malformed_timestamp', 'the timestamp header is not in the format the provider sends.', provider)
  }
  const stale = checkTimestamp(timestampMs, options.now, tolerance, provider)
  if (stale) return stale

  // The base string is hashed before the body rather than copied in front of it; the signed bytes
  // as one buffer are made only if a caller reads them.
  const base = utf8(options.baseString({ timestamp: timestampText, id }))
  const body = bodyBytes(options.payload)
  const matched = matchingKeyIndex(options.algorithm ?? 'sha256', keys, body, [candidate], base)
  const keyIndex = typeof matched === 'number' ? matched : await matched
  return keyIndex >= 0
    ? withJoinedSignedMaterial({ ok: true as const, timestamp: timestampMs, keyIndex }, base, body)
    : fail('invalid_signature', `the signature does not match. ${RAW_BODY_HINT}`, provider)
}

/** Builds the signature header value that {@link verifySeparateTimestamp} accepts, for tests and outgoing webhooks. */
export async function signSeparateTimestamp(
  options: SeparateTimestampFormat & {
    payload: Uint8Array | string
    secret: Secret
    /** The timestamp header exactly as it will be sent. */
    timestamp: string
    id?: string
  },
): Promise<string> {
  const [key] = secretList(options.secret)
  const message = concatBytes(
    utf8(options.baseString({ timestamp: options.timestamp, id: options.id })),
    bodyBytes(options.payload),
  )
  const mac = await getCrypto().hmac(HASHES[options.algorithm ?? 'sha256'], key as Uint8Array, message)
  return (options.prefix ?? '') + encodeSignature(mac, options.encoding ?? 'hex')
}
