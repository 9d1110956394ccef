import { fromUtf8, fromUtf8Strict, utf8 } from './crypto/encoding.js'
import type { HeadersInput, WebhookRequest } from './types.js'

/**
 * Headers already in the form {@link normalizeHeaders} returns: a record of lower-cased names to
 * single values that inherits nothing, repeated values joined with `, ` in arrival order. Only
 * {@link normalizeHeaders} and {@link normalizedHeadersFromRaw} make one (they mark the records
 * they made), and `handle()` and the presets then use it as it is instead of copying it again.
 * Internal to the package: adapters pass it as `WebhookRequest.headers`; it must not be changed
 * once passed.
 */
export type NormalizedHeaders = Readonly<Record<string, string>>

// The prototype of every record made here: empty, frozen, with no prototype of its own, so that a
// record inherits nothing (no `constructor`, no `__proto__` accessor), as with Object.create(null).
// It is also the mark: handing a record back to normalizeHeaders costs a prototype check, not a
// copy, and a record from elsewhere (another copy of this module, a plain object) is copied.
// A WeakSet of the records did the marking before; its insert cost about 0.4 µs a delivery, and
// Object.create(null) makes a slower dictionary-mode object besides.
const RECORD_PROTOTYPE: object = Object.freeze(Object.create(null))

function headerRecord(): Record<string, string> {
  return Object.create(RECORD_PROTOTYPE) as Record<string, string>
}

/**
 * Lower-cased header names to single values. Repeated values are joined with `, `, the way
 * Fetch `Headers` joins them, so a plain object and a `Headers` give the same answer.
 */
export function normalizeHeaders(headers: HeadersInput): Record<string, string> {
  if (Object.getPrototypeOf(headers) === RECORD_PROTOTYPE) return headers as Record<string, string>
  const out = headerRecord()
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
  const out = headerRecord()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase()
    const value = rawHeaders[i + 1] as string
    const existing = out[key]
    out[key] = existing === undefined ? value : `${existing}, ${value}`
  }
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
