import { concatBytes, toBase64, toHex, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { bodyBytes } from '../request.js'
import {
  checkTimestamp,
  decodeSignature,
  fail,
  HASHES,
  hmacMatches,
  parseInteger,
  RAW_BODY_HINT,
  type SchemeResult,
  type Secret,
  type Secrets,
  secretList,
  type ToleranceOptions,
  withJoinedSignedMaterial,
} from './shared.js'

/** Form fields as Twilio signs them: a repeated field is a list of its values. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>

/** What a URL-signing scheme reports on success: the string it checked, for a stable fallback id. */
export interface UrlSchemeSuccess {
  signedMaterial: Uint8Array
  /** Signed timestamp in epoch ms (HubSpot v3). */
  timestamp?: number
}

const URL_HINT =
  'The signature covers the public URL the provider called: behind a proxy, pass the adapter `publicUrl` (or `trustProxy`) so that the URL matches, including the query string.'

// ---------------------------------------------------------------------------------------------
// Twilio

interface UrlParts {
  scheme: string
  userInfo: string
  host: string
  port: string
  rest: string
}

// Split without `new URL()`, which would re-encode characters (e.g. `'` → `%27`) and so change
// the string Twilio signed (twilio-node lib/webhooks/webhooks.ts, splitUrl).
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url)
  if (!match) return undefined
  const [prefix, scheme, authority] = match as unknown as [string, string, string]
  const userInfoEnd = authority.lastIndexOf('@')
  const hostAndPort = authority.slice(userInfoEnd + 1)
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1)
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  }
}

function withPort(url: string): string {
  const parts = splitUrl(url)
  if (!parts || parts.port) return url
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80'
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest
}

// Only the scheme's default port: dropping another one would accept a signature made for a
// different origin (the same host on another port).
function withoutPort(url: string): string {
  const parts = splitUrl(url)
  if (!parts || parts.port !== (parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80')) return url
  return parts.scheme + parts.userInfo + parts.host + parts.rest
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

// Node's legacy `querystring.parse` + `stringify`: some Twilio back ends signed that escaped form
// of the query (twilio-node, withLegacyQuerystring).
function withLegacyQuery(url: string): string {
  const start = url.indexOf('?')
  if (start === -1 || start === url.length - 1) return url
  const groups = new Map<string, string[]>()
  for (const pair of url.slice(start + 1).split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1))
    const list = groups.get(key)
    if (list) list.push(value)
    else groups.set(key, [value])
  }
  const query = [...groups]
    .flatMap(([key, values]) => values.map((value) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`))
    .join('&')
  return `${url.slice(0, start)}?${query}`
}

/**
 * The URLs Twilio may have signed for one request URL, in the order twilio-node tries them: as
 * received without and with the default port, then normalised by `new URL()` (with and without
 * the port, and with Node's legacy query-string encoding).
 */
export function twilioUrlCandidates(url: string): string[] {
  const out = [withoutPort(url), withPort(url)]
  let normalized: string | undefined
  try {
    normalized = new URL(url).toString()
  } catch {
    normalized = undefined
  }
  if (normalized !== undefined) {
    const bare = withoutPort(normalized)
    const ported = withPort(normalized)
    out.push(bare, ported, withLegacyQuery(bare), withLegacyQuery(ported))
  }
  return [...new Set(out)]
}

/**
 * True when the path of `url` has a `.` or `..` segment, written plainly or percent-encoded
 * (`%2e`), with `/` or `\` as the separator. A router matches the raw path (`/sms/../status` is
 * served by `/sms`) while `new URL()` resolves it (`/status`), so such a URL could verify as
 * another route's; Twilio never calls one.
 *
 * @example
 * import { hasDotSegment } from 'webhook-inbox/verifiers'
 * hasDotSegment('https://example.com/sms/../status') // true
 */
export function hasDotSegment(url: string): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*/i.exec(url)
  const rest = authority ? url.slice(authority[0].length) : url
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  return path.split(/[/\\]/).some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))
}

function sortedByCodeUnit(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The string Twilio signs: the URL followed by every form field, sorted by name, as `name` +
 * `value` with no separator; a repeated field contributes each distinct value, sorted
 * (twilio-node getExpectedTwilioSignature; Twilio "Webhooks security").
 */
export function twilioSignatureBase(url: string, params: TwilioParams = {}): string {
  return url + signedFields(params)
}

// The part of the signature base after the URL, the same for every URL form.
function signedFields(params: TwilioParams): string {
  let out = ''
  for (const key of sortedByCodeUnit(Object.keys(params))) {
    const value = params[key] as string | readonly string[]
    if (typeof value === 'string') out += key + value
    else for (const item of sortedByCodeUnit(new Set(value))) out += key + item
  }
  return out
}

/** Twilio's signing algorithm for a request, from `X-Twilio-Webhooks-Signature-Settings`. */
export function twilioAlgorithm(settingsHeader: string | undefined): 'sha1' | 'sha256' | undefined {
  let algorithm = ''
  for (const part of (settingsHeader ?? '').split(',')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === 'algorithm') {
      const value = part.slice(eq + 1).trim()
      if (value) {
        algorithm = value.toUpperCase()
        break
      }
    }
  }
  if (algorithm === '' || algorithm === 'HMAC_SHA1') return 'sha1'
  if (algorithm === 'HMAC_SHA256') return 'sha256'
  return undefined
}

/** Options of {@link verifyTwilio}. */
export interface TwilioSchemeOptions {
  /** The full public URL Twilio called, with the query string. */
  url: string
  /** `X-Twilio-Signature` as received. */
  signature: string | undefined
  /** Auth Token(s), or SharedKey secret(s) for SharedKey-signed webhooks. */
  secret: Secrets
  /**
   * Form fields of a `application/x-www-form-urlencoded` POST. Leave out for GET requests and
   * for JSON bodies (whose URL carries `bodySHA256`).
   */
  params?: TwilioParams
  /** The raw body; required when the URL carries `bodySHA256`. */
  payload?: Uint8Array | string
  /** `X-Twilio-Webhooks-Signature-Settings` as received (SharedKey signing picks HMAC-SHA256 there). */
  signatureSettings?: string
  provider?: string
}

function queryParam(url: string, name: string): string | undefined {
  // Parsing the URL is most of the cost, and a URL without a query has no parameter at all
  // (not a substring test for the name: a percent-encoded name would slip past one).
  if (!url.includes('?')) return undefined
  try {
    return new URL(url).searchParams.get(name) ?? undefined
  } catch {
    return undefined
  }
}

/** What verifyTwilio derives from the request URL alone. */
export interface TwilioUrlFacts {
  url: string
  dotSegment: boolean
  bodyHash: string | undefined
  /** {@link twilioUrlCandidates}, UTF-8 encoded. */
  candidates: readonly Uint8Array[]
}

// The facts of the last URL seen: an endpoint is called at one URL, and parsing it, listing its
// forms and encoding them was a fifth of a 256 B verification. Only the URL's own string is the
// key, so a request with another URL computes its own.
let lastUrl: TwilioUrlFacts | undefined

/** What verifyTwilio derives from `url`, from the last URL's facts when it is the same string. Internal. */
export function twilioUrlFacts(url: string): TwilioUrlFacts {
  if (lastUrl?.url === url) return lastUrl
  lastUrl = {
    url,
    dotSegment: hasDotSegment(url),
    bodyHash: queryParam(url, 'bodySHA256'),
    candidates: twilioUrlCandidates(url).map(utf8),
  }
  return lastUrl
}

/**
 * Verifies `X-Twilio-Signature`: base64 HMAC (SHA-1 with the Auth Token, or the algorithm named
 * in `X-Twilio-Webhooks-Signature-Settings` for SharedKey webhooks) of the URL and the sorted
 * form fields. For JSON bodies the URL's `bodySHA256` must also equal the hex SHA-256 of the body.
 *
 * @example
 * import { verifyTwilio } from 'webhook-inbox/verifiers'
 * const result = await verifyTwilio({ url: 'https://example.com/sms', signature: req.headers['x-twilio-signature'],
 *   secret: process.env.TWILIO_AUTH_TOKEN, params: Object.fromEntries(new URLSearchParams(new TextDecoder().decode(rawBody))) })
 */
export async function verifyTwilio(options: TwilioSchemeOptions): Promise<SchemeResult<UrlSchemeSuccess>> {
  const { provider } = options
  const keys = secretList(options.secret, provider)
  const header = options.signature?.trim()
  if (!header) return fail('missing_signature', 'the X-Twilio-Signature header is missing.', provider)
  const algorithm = twilioAlgorithm(options.signatureSettings)
  if (!algorithm) {
    return fail(
      'malformed_signature',
      'X-Twilio-Webhooks-Signature-Settings names an algorithm this version does not support.',
      provider,
    )
  }
  const candidate = decodeSignature(header, 'base64')
  if (!candidate || candidate.length !== (algorithm === 'sha1' ? 20 : 32)) {
    return fail('malformed_signature', `X-Twilio-Signature is not a base64 HMAC-${algorithm.toUpperCase()}.`, provider)
  }
  const facts = twilioUrlFacts(options.url)
  if (facts.dotSegment) {
    return fail(
      'url_mismatch',
      'the URL path has "." or ".." segments, so the route that received it is not the URL it names; Twilio never calls such a URL.',
      provider,
    )
  }
  const { bodyHash } = facts
  const params = bodyHash === undefined ? (options.params ?? {}) : {}
  // Every URL form with every key, also after a match: which form or which secret matched
  // (a rotation in progress, a port in the URL) must not show in how long the check takes.
  // The fields are sorted and encoded once, and each URL form is hashed in front of them rather
  // than copied there; the signed bytes as one buffer are made only if a caller reads them.
  const fields = utf8(signedFields(params))
  let signedUrl: Uint8Array | undefined
  for (const encoded of facts.candidates) {
    const matched = hmacMatches(algorithm, keys, fields, [candidate], encoded)
    if ((typeof matched === 'boolean' ? matched : await matched) && !signedUrl) signedUrl = encoded
  }
  if (!signedUrl) return fail('invalid_signature', `X-Twilio-Signature does not match. ${URL_HINT}`, provider)
  if (bodyHash !== undefined) {
    const crypto = getCrypto()
    const expected = await crypto.digest('SHA-256', bodyBytes(options.payload ?? ''))
    const received = decodeSignature(bodyHash, 'hex')
    if (!received || !crypto.timingSafeEqual(expected, received)) {
      return fail('invalid_signature', `the body does not match the URL's bodySHA256. ${RAW_BODY_HINT}`, provider)
    }
  }
  return withJoinedSignedMaterial({ ok: true as const }, signedUrl, fields)
}

/** Signs like Twilio (the inverse of {@link verifyTwilio}), for tests. Returns the header value. */
export async function signTwilio(options: {
  url: string
  secret: Secret
  params?: TwilioParams
  /** @default 'sha1' (Auth Token signing) */
  algorithm?: 'sha1' | 'sha256'
}): Promise<string> {
  const [key] = secretList(options.secret)
  const base = utf8(twilioSignatureBase(options.url, options.params))
  return toBase64(await getCrypto().hmac(HASHES[options.algorithm ?? 'sha1'], key as Uint8Array, base))
}

/** Hex SHA-256 of a body, for the `bodySHA256` query parameter of Twilio's JSON webhooks. */
export async function twilioBodyHash(payload: Uint8Array | string): Promise<string> {
  return toHex(await getCrypto().digest('SHA-256', bodyBytes(payload)))
}

// ---------------------------------------------------------------------------------------------
// Square

/** Options of {@link verifySquare}. */
export interface SquareSchemeOptions {
  /** The notification URL exactly as registered for the subscription. */
  url: string
  /** The raw body. */
  payload: Uint8Array | string
  /** `x-square-hmacsha256-signature` (or the legacy `x-square-signature` with `algorithm: 'sha1'`). */
  signature: string | undefined
  /** Signature key(s) of the subscription. */
  secret: Secrets
  /** @default 'sha256' */
  algorithm?: 'sha1' | 'sha256'
  provider?: string
}

/**
 * Verifies Square's `x-square-hmacsha256-signature`: base64 HMAC-SHA256 of the notification URL
 * followed by the raw body (Square "Validate notifications"; square SDK WebhooksHelper).
 *
 * @example
 * import { verifySquare } from 'webhook-inbox/verifiers'
 * const result = await verifySquare({ url: 'https://example.com/webhooks/square', payload: rawBody,
 *   signature: req.headers['x-square-hmacsha256-signature'], secret: process.env.SQUARE_SIGNATURE_KEY })
 */
export async function verifySquare(options: SquareSchemeOptions): Promise<SchemeResult<UrlSchemeSuccess>> {
  const { provider } = options
  const algorithm = options.algorithm ?? 'sha256'
  const keys = secretList(options.secret, provider)
  const header = options.signature?.trim()
  if (!header) return fail('missing_signature', 'the Square signature header is missing.', provider)
  const candidate = decodeSignature(header, 'base64')
  if (!candidate || candidate.length !== (algorithm === 'sha1' ? 20 : 32)) {
    return fail('malformed_signature', 'the Square signature is not a base64 HMAC.', provider)
  }
  const message = concatBytes(utf8(options.url), bodyBytes(options.payload))
  return (await hmacMatches(algorithm, keys, message, [candidate]))
    ? { ok: true, signedMaterial: message }
    : fail(
        'invalid_signature',
        `the Square signature does not match. It covers the notification URL registered in the Square dashboard: pass it as \`notificationUrl\`. ${RAW_BODY_HINT}`,
        provider,
      )
}

/** Signs like Square (the inverse of {@link verifySquare}), for tests. Returns the header value. */
export async function signSquare(options: {
  url: string
  payload: Uint8Array | string
  secret: Secret
  algorithm?: 'sha1' | 'sha256'
}): Promise<string> {
  const [key] = secretList(options.secret)
  const message = concatBytes(utf8(options.url), bodyBytes(options.payload))
  return toBase64(await getCrypto().hmac(HASHES[options.algorithm ?? 'sha256'], key as Uint8Array, message))
}

// ---------------------------------------------------------------------------------------------
// HubSpot

/** HubSpot signature versions. */
export type HubSpotVersion = 'v1' | 'v2' | 'v3'

/** Options of {@link verifyHubSpot}. */
export interface HubSpotSchemeOptions extends ToleranceOptions {
  version: HubSpotVersion
  /** HTTP method (v2, v3). */
  method: string
  /** The full public URL HubSpot called (v2, v3). */
  url: string
  payload: Uint8Array | string
  /** `X-HubSpot-Signature` (v1, v2) or `X-HubSpot-Signature-v3`. */
  signature: string | undefined
  /** `X-HubSpot-Request-Timestamp` (v3, epoch ms). */
  timestamp?: string
  /** The app's client secret(s). */
  secret: Secrets
  /** Current time, epoch ms (v3). */
  now: number
  provider?: string
}

// HubSpot's v3 instructions (developers.hubspot.com "Validating requests") decode these escapes
// in the URI before signing; we could not confirm it against a real delivery, so both forms are
// tried, and an exact URI also passes.
const HUBSPOT_DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
}

function hubspotDecode(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODED[m.toUpperCase()] ?? m)
}

function hubspotMessages(version: HubSpotVersion, method: string, url: string, body: Uint8Array, ts: string) {
  const m = method.toUpperCase()
  if (version === 'v1') return [body]
  if (version === 'v2') return [concatBytes(utf8(m + url), body)]
  return [...new Set([url, hubspotDecode(url)])].map((u) => concatBytes(utf8(m + u), body, utf8(ts)))
}

/**
 * Verifies HubSpot's request signatures: v1 (hex SHA-256 of secret + body), v2 (hex SHA-256 of
 * secret + method + URI + body) and v3 (base64 HMAC-SHA256 of method + URI + body + timestamp,
 * with `X-HubSpot-Request-Timestamp` in ms) (developers.hubspot.com "Validating requests";
 * @hubspot/api-client Signature). v1 and v2 are plain hashes keyed by prefixing the secret. The
 * v3 timestamp must be within `toleranceMs` (default 300000) of `now`, either direction.
 *
 * @example
 * import { verifyHubSpot } from 'webhook-inbox/verifiers'
 * const result = await verifyHubSpot({ version: 'v3', method: 'POST', url, payload: rawBody, now: Date.now(),
 *   signature: req.headers['x-hubspot-signature-v3'], timestamp: req.headers['x-hubspot-request-timestamp'],
 *   secret: process.env.HUBSPOT_CLIENT_SECRET })
 */
export async function verifyHubSpot(options: HubSpotSchemeOptions): Promise<SchemeResult<UrlSchemeSuccess>> {
  const { provider, version } = options
  const keys = secretList(options.secret, provider)
  const header = options.signature?.trim()
  const headerName = version === 'v3' ? 'X-HubSpot-Signature-v3' : 'X-HubSpot-Signature'
  if (!header) return fail('missing_signature', `the ${headerName} header is missing.`, provider)
  const candidate = decodeSignature(header, version === 'v3' ? 'base64' : 'hex')
  if (candidate?.length !== 32) {
    return fail(
      'malformed_signature',
      `${headerName} is not a ${version === 'v3' ? 'base64' : 'hex'} SHA-256.`,
      provider,
    )
  }
  let timestamp: number | undefined
  const ts = options.timestamp?.trim() ?? ''
  if (version === 'v3') {
    if (!ts) return fail('missing_timestamp', 'the X-HubSpot-Request-Timestamp header is missing.', provider)
    timestamp = parseInteger(ts)
    if (timestamp === undefined)
      return fail('malformed_timestamp', 'X-HubSpot-Request-Timestamp is not a number.', provider)
    const stale = checkTimestamp(timestamp, options.now, options.toleranceMs ?? 300_000, provider)
    if (stale) return stale
  }
  const crypto = getCrypto()
  const body = bodyBytes(options.payload)
  const messages = hubspotMessages(version, options.method, options.url, body, ts)
  // v1 and v2 are SHA-256(secret + message), open to length extension: from one captured request
  // anyone can sign message + glue + more without the secret. The glue always holds NUL bytes
  // (the high bytes of the 64-bit length), which HubSpot's JSON, methods and URLs never do.
  if (version !== 'v3' && messages.some((message) => message.includes(0))) {
    return fail('invalid_signature', `${headerName} v1/v2 cannot cover a body with NUL bytes.`, provider)
  }
  let matched: Uint8Array | undefined
  for (const message of messages) {
    if (version === 'v3') {
      if (await hmacMatches('sha256', keys, message, [candidate])) matched ??= message
      continue
    }
    for (const key of keys) {
      const expected = await crypto.digest('SHA-256', concatBytes(key, message))
      if (crypto.timingSafeEqual(expected, candidate)) matched ??= message
    }
  }
  if (!matched) {
    return fail(
      'invalid_signature',
      `${headerName} does not match. ${version === 'v1' ? RAW_BODY_HINT : URL_HINT}`,
      provider,
    )
  }
  return timestamp === undefined
    ? { ok: true, signedMaterial: matched }
    : { ok: true, signedMaterial: matched, timestamp }
}

/** Signs like HubSpot (the inverse of {@link verifyHubSpot}), for tests. Returns the signature header value. */
export async function signHubSpot(options: {
  version: HubSpotVersion
  method?: string
  url: string
  payload: Uint8Array | string
  secret: Secret
  /** Epoch ms, for v3. */
  timestamp?: number
}): Promise<string> {
  const [key] = secretList(options.secret) as [Uint8Array]
  const crypto = getCrypto()
  const method = (options.method ?? 'POST').toUpperCase()
  const body = bodyBytes(options.payload)
  if (options.version === 'v1') return toHex(await crypto.digest('SHA-256', concatBytes(key, body)))
  if (options.version === 'v2') {
    return toHex(await crypto.digest('SHA-256', concatBytes(key, utf8(method + options.url), body)))
  }
  const message = concatBytes(utf8(method + options.url), body, utf8(String(options.timestamp ?? Date.now())))
  return toBase64(await crypto.hmac('SHA-256', key, message))
}
