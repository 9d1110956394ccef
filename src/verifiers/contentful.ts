import { concatBytes, toHex, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import { bodyBytes, normalizeHeaders } from '../request.js'
import type { HeadersInput } from '../types.js'
import {
  checkTimestamp,
  checkTolerance,
  decodeSignature,
  fail,
  hmacMatches,
  parseInteger,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  secretList,
  type ToleranceOptions,
} from './shared.js'

const SIGNATURE = 'x-contentful-signature'
const SIGNED_HEADERS = 'x-contentful-signed-headers'
const TIMESTAMP = 'x-contentful-timestamp'
// @contentful/node-apps-toolkit refuses timestamps before 2020-01-01 (TimestampValidator).
const MIN_TIMESTAMP_MS = 1_577_836_800_000
const DEFAULT_TOLERANCE_MS = 30_000

/**
 * Checks Contentful signing secrets: exactly 64 characters of `[0-9a-zA-Z+/=_-]`, as Contentful
 * generates and the toolkit requires. Throws `WebhookConfigError` otherwise.
 *
 * @example
 * import { contentfulKeys } from 'webhook-inbox/verifiers'
 * const keys = contentfulKeys(process.env.CONTENTFUL_SIGNING_SECRET) // checked once, at startup
 */
export function contentfulKeys(secret: Secrets, provider?: string): Uint8Array[] {
  const keys = secretList(secret, provider)
  for (const key of keys) {
    configInvariant(
      key.length === 64 && /^[0-9a-zA-Z+/=_-]+$/.test(new TextDecoder().decode(key)),
      '`secret` is not a Contentful signing secret: it must be the 64-character value from the webhook settings (Request verification).',
      provider,
    )
  }
  return keys
}

/**
 * The path and query of `url` exactly as sent (no decoding), or `url` itself when it is already a
 * path: `pathOf('https://example.test/hooks?a=1#x')` is `'/hooks?a=1'`.
 */
export function pathOf(url: string): string {
  const withoutFragment = url.split('#')[0] as string
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(withoutFragment)
  const rest = origin ? withoutFragment.slice(origin[0].length) : withoutFragment
  if (rest === '') return '/'
  return rest.startsWith('?') ? `/${rest}` : rest
}

/**
 * The path as the toolkit canonicalises it (`getNormalizedEncodedURI`): the query is escaped
 * with `querystring.escape` (the same set as `encodeURIComponent`), then the whole is passed
 * through `encodeURI`, so a `%` in the query ends up as `%25`. Only the text between the first
 * and the second `?` is kept, as the toolkit's `split('?')` does.
 */
function canonicalPath(path: string): string | undefined {
  try {
    const [pathname, search] = path.split('?') as [string, string | undefined]
    const escaped = search ? encodeURIComponent(search) : ''
    return encodeURI(escaped ? `${pathname}?${escaped}` : pathname)
  } catch {
    return undefined
  }
}

function compareKeys(a: string, b: string): number {
  return a > b ? 1 : -1
}

/** The string the toolkit signs: method, path, `name:value;…` of the signed headers, body. */
function canonicalPrefix(method: string, path: string, headers: Record<string, string>, timestamp: number): string {
  const names = Object.keys(headers)
  if (!names.includes(SIGNED_HEADERS)) names.push(SIGNED_HEADERS)
  if (!names.includes(TIMESTAMP)) names.push(TIMESTAMP)
  const signed = { ...headers, [TIMESTAMP]: String(timestamp), [SIGNED_HEADERS]: names.sort(compareKeys).join(',') }
  const headerLine = Object.entries(signed)
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([name, value]) => `${name}:${value}`)
    .join(';')
  return `${method}\n${path}\n${headerLine}\n`
}

/** Options of {@link verifyContentfulRequest}. */
export interface ContentfulRequestOptions extends ToleranceOptions {
  payload: Uint8Array | string
  /** HTTP method as received. */
  method: string
  /** The URL Contentful called (full URL or path + query), exactly as configured in the webhook. */
  url: string
  /** All request headers (only those listed in `x-contentful-signed-headers` are used). */
  headers: HeadersInput
  /** Signing secret(s), 64 characters each. */
  secret: Secrets
  /** Current time, epoch milliseconds. */
  now: number
  provider?: string
}

/**
 * Verifies a Contentful signed request (webhook request verification, and App Framework signed
 * requests): HMAC-SHA256 hex of `METHOD\npath\nsigned headers\nbody`, with the signed header list
 * in `x-contentful-signed-headers` and a millisecond timestamp in `x-contentful-timestamp`,
 * reproduced exactly as @contentful/node-apps-toolkit's `verifyRequest` builds it. The timestamp
 * is checked in both directions (`toleranceMs`, default 30 s, the toolkit's TTL).
 *
 * @example
 * import { verifyContentfulRequest } from 'webhook-inbox/verifiers'
 * const result = await verifyContentfulRequest({ payload: rawBody, method: 'POST', url: req.url,
 *   headers: req.headers, secret: process.env.CONTENTFUL_SIGNING_SECRET, now: Date.now() })
 */
export async function verifyContentfulRequest(
  options: ContentfulRequestOptions,
): Promise<SchemeResult<{ timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  const keys = contentfulKeys(options.secret, provider)
  const tolerance = checkTolerance(options.toleranceMs, DEFAULT_TOLERANCE_MS, provider)
  const headers: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(normalizeHeaders(options.headers))) headers[name.trim()] = value.trim()

  const signatureText = headers[SIGNATURE]
  if (!signatureText) return fail('missing_signature', `the ${SIGNATURE} header is missing.`, provider)
  const signature = signatureText.length === 64 ? decodeSignature(signatureText, 'hex') : undefined
  if (!signature) return fail('malformed_signature', `the ${SIGNATURE} header is not 64 hex characters.`, provider)
  const signedList = headers[SIGNED_HEADERS]
  if (!signedList) return fail('missing_header', `the ${SIGNED_HEADERS} header is missing.`, provider)
  const listed = signedList.split(',')
  if (listed.length < 2) {
    return fail('malformed_signature', `the ${SIGNED_HEADERS} header lists fewer than two headers.`, provider)
  }
  const timestampText = headers[TIMESTAMP]
  if (!timestampText) return fail('missing_timestamp', `the ${TIMESTAMP} header is missing.`, provider)
  const timestamp = parseInteger(timestampText)
  if (timestamp === undefined || timestamp <= MIN_TIMESTAMP_MS) {
    return fail('malformed_timestamp', `the ${TIMESTAMP} header is not epoch milliseconds.`, provider)
  }
  // The toolkit refuses a request exactly `ttl` old (`Date.now() - timestamp >= ttl * 1000`).
  const stale = checkTimestamp(timestamp, options.now, Math.max(0, tolerance - 1), provider)
  if (stale) return stale
  const path = canonicalPath(pathOf(options.url))
  if (path === undefined) return fail('malformed_signature', 'the request path cannot be canonicalised.', provider)

  // A Set: the list and the headers both come from the request, and scanning the list once per
  // header is quadratic (a 128 KB header block, which edge runtimes allow, costs ~0.4 s).
  const signedNames = new Set(listed)
  const picked: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (signedNames.has(name)) picked[name] = value
  const signedMaterial = concatBytes(
    utf8(canonicalPrefix(String(options.method).toUpperCase(), path, picked, timestamp)),
    bodyBytes(options.payload),
  )
  return (await hmacMatches('sha256', keys, signedMaterial, [signature]))
    ? { ok: true, timestamp, signedMaterial }
    : fail('invalid_signature', `the ${SIGNATURE} header does not match. ${RAW_BODY_HINT}`, provider)
}

/**
 * Signs a request as Contentful does (the inverse of {@link verifyContentfulRequest}, and the
 * same output as the toolkit's `signRequest`). Returns the three headers to add.
 *
 * @example
 * import { signContentful } from 'webhook-inbox/verifiers'
 * const headers = await signContentful({ secret, method: 'POST', url: '/webhooks', body, timestamp: Date.now() })
 */
export async function signContentful(options: {
  secret: Secret
  method: string
  url: string
  body: Uint8Array | string
  /** Epoch milliseconds. */
  timestamp: number
  /** Extra headers to sign (names are lower-cased, values trimmed). */
  headers?: Record<string, string>
}): Promise<Record<string, string>> {
  const [key] = contentfulKeys([options.secret])
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase().trim()] = value.trim()
  const path = canonicalPath(pathOf(options.url))
  configInvariant(path !== undefined, '`url` cannot be canonicalised (it holds a lone surrogate).')
  const prefix = canonicalPrefix(options.method.toUpperCase(), path, headers, options.timestamp)
  const mac = await getCrypto().hmac('SHA-256', key as Uint8Array, concatBytes(utf8(prefix), bodyBytes(options.body)))
  const names = [...new Set([...Object.keys(headers), SIGNED_HEADERS, TIMESTAMP])].sort(compareKeys)
  return { [SIGNATURE]: toHex(mac), [SIGNED_HEADERS]: names.join(','), [TIMESTAMP]: String(options.timestamp) }
}
