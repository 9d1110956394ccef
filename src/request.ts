import { fromUtf8, utf8 } from './crypto/encoding.js'
import type { HeadersInput, WebhookRequest } from './types.js'

/**
 * Lower-cased header names to single values. Repeated values are joined with `, `, the way
 * Fetch `Headers` joins them, so a plain object and a `Headers` give the same answer.
 */
export function normalizeHeaders(headers: HeadersInput): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    ;(headers as Headers).forEach((value, name) => {
      out[name.toLowerCase()] = value
    })
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (value === undefined) continue
    const key = name.toLowerCase()
    const joined = typeof value === 'string' ? value : value.join(', ')
    out[key] = key in out ? `${out[key]}, ${joined}` : joined
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
