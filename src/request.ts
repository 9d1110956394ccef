import { fromUtf8, fromUtf8Strict, utf8 } from './crypto/encoding.js'
import type { HeadersInput, WebhookRequest } from './types.js'

/**
 * Headers already in the form {@link normalizeHeaders} returns: a null-prototype record of
 * lower-cased names to single values, repeated values joined with `, ` in arrival order. Only
 * {@link normalizeHeaders} and {@link normalizedHeadersFromRaw} make one (they remember the
 * records they made), and `handle()` and the presets then use it as it is instead of copying it
 * again. Internal to the package: adapters pass it as `WebhookRequest.headers`; it must not be
 * changed once passed.
 */
export type NormalizedHeaders = Readonly<Record<string, string>>

// The records made here: handing one back to normalizeHeaders costs a lookup, not a copy.
// A record that is not in the set (another copy of this module, a plain object) is copied.
const normalized = new WeakSet<object>()

/**
 * Lower-cased header names to single values. Repeated values are joined with `, `, the way
 * Fetch `Headers` joins them, so a plain object and a `Headers` give the same answer.
 */
export function normalizeHeaders(headers: HeadersInput): Record<string, string> {
  if (normalized.has(headers)) return headers as Record<string, string>
  const out: Record<string, string> = Object.create(null)
  normalized.add(out)
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    ;(headers as Headers).forEach((value, name) => {
      out[name.toLowerCase()] = value
    })
    return out
  }
  // for-in over own names: Object.entries built an array of pairs per call (7 % of a direct
  // verify at 256 B).
  const record = headers as Record<string, string | readonly string[] | undefined>
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue
    const value = record[name]
    if (value === undefined) continue
    const key = name.toLowerCase()
    const joined = typeof value === 'string' ? value : value.join(', ')
    out[key] = key in out ? `${out[key]}, ${joined}` : joined
  }
  return out
}

/**
 * {@link NormalizedHeaders} from Node's `IncomingMessage.rawHeaders` (`[name, value, name,
 * value, …]` as received) in one pass: the same record `normalizeHeaders(req.headersDistinct)`
 * gives, without Node building `headersDistinct` first.
 */
export function normalizedHeadersFromRaw(rawHeaders: readonly string[]): NormalizedHeaders {
  const out: Record<string, string> = Object.create(null)
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase()
    const value = rawHeaders[i + 1] as string
    const existing = out[key]
    out[key] = existing === undefined ? value : `${existing}, ${value}`
  }
  normalized.add(out)
  return out
}

/** One header, case-insensitive, from either shape. */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  return normalizeHeaders(headers)[name.toLowerCase()]
}

/** The body as bytes: a string is its UTF-8 encoding; a view is used as it is (offset kept). */
export function bodyBytes(body: WebhookRequest['body']): Uint8Array {
  return typeof body === 'string' ? utf8(body) : body
}

/** The body as text (UTF-8, with replacement characters for invalid bytes). */
export function bodyText(body: WebhookRequest['body']): string {
  return typeof body === 'string' ? body : fromUtf8(body)
}

/**
 * The body of one delivery decoded once and shared by the preset (`DeliveryContext.text()`) and
 * the handler (`WebhookEvent.body`). `exact` is the text byte for byte (a leading U+FEFF kept),
 * `null` when the bytes are not valid UTF-8; `undefined` until the first decode.
 */
export interface DecodedBody {
  readonly bytes: Uint8Array
  exact: string | null | undefined
}

/** The slot a {@link DecodedBody} rides in on the request the handler passes to `verify`. */
export const DECODED_BODY: unique symbol = Symbol('webhook-inbox.decodedBody')

/** The exact text of the body (`null`: not valid UTF-8), decoding it at most once. */
export function exactText(decoded: DecodedBody): string | null {
  if (decoded.exact === undefined) decoded.exact = fromUtf8Strict(decoded.bytes) ?? null
  return decoded.exact
}

/**
 * The body as `bodyText` gives it, from the same single decode: a leading byte-order mark is
 * dropped as TextDecoder drops it, and invalid bytes become replacement characters.
 */
export function lenientText(decoded: DecodedBody): string {
  const exact = exactText(decoded)
  if (exact === null) return fromUtf8(decoded.bytes)
  return exact.charCodeAt(0) === 0xfeff ? exact.slice(1) : exact
}
