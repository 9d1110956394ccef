import { toHex } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant, LOG_HINT, WebhookVerificationError } from '../errors.js'
import { bodyBytes, DECODED_BODY, type DecodedBody, lenientText, normalizeHeaders } from '../request.js'
import type {
  Provider,
  ProviderInfo,
  StatusRange,
  VerifyOptions,
  VerifyResult,
  WebhookRequest,
  WebhookResponse,
} from '../types.js'
import type { SchemeResult } from '../verifiers/shared.js'

/** One delivery, as a preset sees it: lower-cased headers, the raw bytes, the time. */
export interface DeliveryContext {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
  readonly now: number
  /** The body as UTF-8 text (computed once). */
  text(): string
  /** A header by name, any case. */
  header(name: string): string | undefined
}

/** How a preset's body becomes `payload`. */
export type BodyFormat = 'json' | 'form' | 'text' | ((context: DeliveryContext) => unknown)

/** What a preset's `verify` reports on success. */
export interface SchemeSuccess {
  /** Signed timestamp, epoch milliseconds. */
  timestamp?: number
  /** What was signed, when it is more than the body; hashed for the fallback id. */
  signedMaterial?: Uint8Array
  /**
   * The exact bytes the signature covers, hashed into the `sig:` dedupe key of a preset whose id
   * is not signed (`idSigned` unset). `null` when nothing binds the request (a shared token), so
   * no such key exists. @default `signedMaterial`, else the body
   */
  replayMaterial?: Uint8Array | null
}

/** Everything a preset is made of. Every function gets the same {@link DeliveryContext}. */
export interface ProviderDefinition<T> {
  name: string
  methods?: readonly string[]
  retryWindowMs?: number
  responseDeadlineMs?: number
  sensitiveHeaders?: readonly string[]
  /** Headers that carry the signature, left out of events by default (see `Provider.signatureHeaders`). */
  signatureHeaders?: readonly string[]
  /** The statuses the provider retries; see {@link Provider.retriedStatuses}. @default [[400, 599]] */
  retriedStatuses?: readonly StatusRange[]
  /** What the README provider table says about this preset. */
  info?: ProviderInfo
  /**
   * Answers a request before any signature check (an unsigned handshake such as Meta's GET
   * `hub.challenge`), or refuses it. `undefined` goes on to `verify`.
   */
  beforeVerify?(
    context: DeliveryContext,
  ):
    | WebhookResponse
    | WebhookVerificationError
    | undefined
    | Promise<WebhookResponse | WebhookVerificationError | undefined>
  verify(context: DeliveryContext): Promise<SchemeResult<SchemeSuccess>>
  /** @default 'json' */
  body?: BodyFormat
  /** The event id; `undefined` falls back to `sha256:` + hex SHA-256 of the signed material. */
  id?(context: DeliveryContext, payload: T): string | undefined
  /**
   * Whether nothing the signature leaves uncovered can change what `id` returns: true when it
   * reads only signed bytes (a field of a signed body, a signed header) exactly as verified, or
   * makes the id up itself. Otherwise (an unsigned header, or a parse picked by the unsigned
   * `Content-Type`) the delivery is also claimed under `sig:` + the hex SHA-256 of the signed
   * material, so the same signed bytes are a duplicate whatever id they arrive with (also when a
   * delivery falls back to the hashed id). A preset without `id` needs nothing: its fallback id
   * is signed by construction.
   * @default false
   */
  idSigned?: boolean
  /** The event type; `undefined` becomes `''`. */
  type?(context: DeliveryContext, payload: T): string | undefined
  /**
   * The answer for an accepted (or duplicate) event when the provider needs more than
   * `200 {"ok":true}`, such as Discord's deferred interaction reply.
   */
  acceptedResponse?(context: DeliveryContext, payload: T): WebhookResponse | undefined
  /**
   * Logged (never answered) with an `invalid_signature` when the configured secret has a
   * recognisable form that is not this provider's signing secret (a Stripe API key `sk_live_…`
   * instead of `whsec_…`). Computed once at setup by the preset; never quotes the secret.
   */
  secretHint?: string
  /**
   * The header the signature is read from, named in `missing_signature` messages
   * (`X-Hub-Signature-256`). @default the first of `info.headers`
   */
  signatureHeader?: string
  /** A handshake answered after a good signature (Slack `url_verification`, Discord PING, ...). */
  handshake?(context: DeliveryContext, payload: T): WebhookResponse | undefined | Promise<WebhookResponse | undefined>
}

function createContext(request: WebhookRequest, now: number): DeliveryContext {
  const headers = normalizeHeaders(request.headers ?? {})
  const bytes = bodyBytes(request.body ?? '')
  // The handler's decode slot, so that the event body reuses this decode; a direct call of
  // `verify` gets its own.
  const carried = (request as { [DECODED_BODY]?: DecodedBody })[DECODED_BODY]
  const decoded: DecodedBody = carried?.bytes === bytes ? carried : { bytes, exact: undefined }
  let text: string | undefined
  return {
    method: String(request.method ?? '').toUpperCase(),
    url: request.url,
    headers,
    bytes,
    now,
    text: () => {
      text ??= typeof request.body === 'string' ? request.body : lenientText(decoded)
      return text
    },
    header: (name) => headers[name.toLowerCase()],
    [PARSED]: {},
  } as DeliveryContext
}

/** Form fields as a plain object; a repeated field becomes an array of its values. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  // Appending in place keeps this linear: copying the array on every repeat made one
  // unsigned `a=&a=&…` body cost seconds before any signature was checked.
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = Object.hasOwn(out, key) ? out[key] : undefined
    if (Array.isArray(existing)) existing.push(value)
    else {
      const next = existing === undefined ? value : [existing, value]
      // A field named `__proto__` (anyone can send one) is an own field, not the prototype; any
      // other name is assigned, which is several times faster than defineProperty per field.
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true })
      } else out[key] = next
    }
  }
  return out
}

// Bodies parsed for a delivery, so that a preset reading the body in `verify` or `id` and the
// payload parse share one parse: kept on the context object, which lives for one delivery (a
// slot of its own; a WeakMap lookup and insert per delivery cost more than the parse of a
// small body). A context made elsewhere gets its slot on first use.
const PARSED: unique symbol = Symbol('webhook-inbox.parsed-body')
type ParsedSlot = { json?: ParseOutcome; form?: Record<string, string | string[]> }
type ParseOutcome = { ok: true; value: unknown } | { ok: false; error: unknown }

function parsedOf(context: DeliveryContext): ParsedSlot {
  const holder = context as DeliveryContext & { [PARSED]?: ParsedSlot }
  let parsed = holder[PARSED]
  if (!parsed) {
    parsed = {}
    Object.defineProperty(holder, PARSED, { value: parsed })
  }
  return parsed
}

/**
 * `JSON.parse(context.text())`, parsed once per delivery: every later call returns the same
 * value (do not change it), or throws the same error. A `json` body format uses it too, so a
 * preset that reads the body while verifying does not parse it a second time.
 */
export function contextJson(context: DeliveryContext): unknown {
  const parsed = parsedOf(context)
  if (!parsed.json) {
    try {
      parsed.json = { ok: true, value: JSON.parse(context.text()) }
    } catch (error) {
      parsed.json = { ok: false, error }
    }
  }
  if (!parsed.json.ok) throw parsed.json.error
  return parsed.json.value
}

/** `parseForm(context.text())`, parsed once per delivery (the same object each call: do not change it). */
export function contextForm(context: DeliveryContext): Record<string, string | string[]> {
  const parsed = parsedOf(context)
  parsed.form ??= parseForm(context.text())
  return parsed.form
}

/**
 * Most fields a form read before its signature is checked may have. Twilio, Slack and Mailgun
 * send a few dozen; sorting or indexing a hundred thousand would be work an unsigned request
 * could demand for free.
 */
export const MAX_UNVERIFIED_FORM_FIELDS = 1000

/** True when `text` has more than {@link MAX_UNVERIFIED_FORM_FIELDS} `&`-separated fields (one linear scan). */
export function tooManyFormFields(text: string): boolean {
  let fields = 1
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    if (++fields > MAX_UNVERIFIED_FORM_FIELDS) return true
  }
  return false
}

function parseBody(format: BodyFormat, context: DeliveryContext): { ok: true; value: unknown } | { ok: false } {
  try {
    if (typeof format === 'function') return { ok: true, value: format(context) }
    if (format === 'text') return { ok: true, value: context.text() }
    if (format === 'form') return { ok: true, value: contextForm(context) }
    return { ok: true, value: contextJson(context) }
  } catch {
    return { ok: false }
  }
}

// Hex SHA-256 of signed bytes, without a promise where the back end hashes synchronously: the
// fallback id and the `sig:` key are computed for most deliveries.
function sha256Hex(bytes: Uint8Array): string | Promise<string> {
  const crypto = getCrypto()
  return crypto.hexDigestSync ? crypto.hexDigestSync('SHA-256', bytes) : crypto.digest('SHA-256', bytes).then(toHex)
}

const FALLBACK_ID_PREFIX = 'sha256:'

/** `sha256:` + hex SHA-256 of the signed material: the id of a delivery whose provider sends none. */
export async function fallbackId(material: Uint8Array): Promise<string> {
  return FALLBACK_ID_PREFIX + (await sha256Hex(material))
}

/**
 * Builds a {@link Provider} from a scheme and a few lookups. Every preset in
 * `webhook-inbox/providers` is made with it; use it for a provider that is not listed.
 *
 * @example
 * import { defineProvider } from 'webhook-inbox/providers'
 * import { verifyHmac } from 'webhook-inbox/verifiers'
 * const acme = defineProvider({
 *   name: 'acme',
 *   verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-acme-signature'), secret }),
 *   id: (d) => d.header('x-acme-delivery'),
 * })
 */
export function defineProvider<T = unknown>(definition: ProviderDefinition<T>): Provider<T> {
  configInvariant(
    typeof definition.name === 'string' && /^[a-z0-9][a-z0-9_.-]*$/i.test(definition.name),
    'defineProvider: `name` must be a short identifier such as "acme" (letters, digits, "-", "_", ".").',
  )
  const { name } = definition
  const format = definition.body ?? 'json'
  const signatureHeader =
    definition.signatureHeader ?? definition.info?.headers?.find((header) => /sig|hmac|token|auth/i.test(header))

  // The scheme functions do not know the preset's header names or its secret's form; the
  // preset adds what a user needs to fix the mistake.
  function explained(error: WebhookVerificationError): WebhookVerificationError {
    if (error.code === 'invalid_signature' && definition.secretHint) {
      // For the log only (see LOG_HINT): the response must not describe the configured secret.
      Object.defineProperty(error, LOG_HINT, { value: definition.secretHint, enumerable: false })
      return error
    }
    let extra: string | undefined
    if (
      error.code === 'missing_signature' &&
      signatureHeader &&
      !error.message.toLowerCase().includes(signatureHeader.toLowerCase())
    ) {
      extra = `The ${signatureHeader} header was looked for: is the webhook configured with a secret, and does a proxy pass the header on?`
    }
    if (!extra) return error
    const message = `${error.message.replace(/^\[webhook-inbox\] (?:\[[^\]]*\] )?/, '')} ${extra}`
    return new WebhookVerificationError(error.code, message, { provider: error.provider, status: error.status })
  }
  return {
    name,
    methods: definition.methods,
    retryWindowMs: definition.retryWindowMs,
    responseDeadlineMs: definition.responseDeadlineMs,
    sensitiveHeaders: definition.sensitiveHeaders,
    signatureHeaders: definition.signatureHeaders?.map((h) => h.toLowerCase()),
    retriedStatuses: definition.retriedStatuses,
    info: definition.info && { ...definition.info, idSigned: definition.idSigned === true || !definition.id },
    async verify(request: WebhookRequest, options: VerifyOptions): Promise<VerifyResult<T>> {
      const context = createContext(request, options.now)
      if (definition.beforeVerify) {
        const early = await definition.beforeVerify(context)
        if (early instanceof WebhookVerificationError) return { ok: false, error: early }
        if (early) return { ok: true, id: '', type: '', payload: undefined as T, handshake: early }
      }
      const verified = await definition.verify(context)
      if (!verified.ok) return { ok: false, error: explained(verified.error) }
      const parsed = parseBody(format, context)
      if (!parsed.ok) {
        return {
          ok: false,
          error: new WebhookVerificationError(
            'invalid_body',
            `the signature is valid but the body is not ${typeof format === 'string' ? format : 'in the expected format'}.`,
            { provider: name },
          ),
        }
      }
      const payload = parsed.value as T
      // Awaited only when it is a promise (or another thenable): a turn of the microtask queue
      // per delivery otherwise.
      const answered = definition.handshake?.(context, payload)
      const handshake =
        typeof (answered as PromiseLike<unknown> | undefined)?.then === 'function'
          ? await answered
          : (answered as WebhookResponse | undefined)
      if (handshake) return { ok: true, id: '', type: '', payload, handshake }
      const given = definition.id?.(context, payload)
      // The signed bytes are read only when hashed: a scheme may build them on first read.
      let signed: Uint8Array | undefined
      let signedHash: string | undefined
      if (!given) {
        signed = verified.signedMaterial ?? context.bytes
        const hashed = sha256Hex(signed)
        signedHash = typeof hashed === 'string' ? hashed : await hashed
      }
      const id = given || FALLBACK_ID_PREFIX + signedHash
      const result: VerifyResult<T> = { ok: true, id, type: definition.type?.(context, payload) ?? '', payload }
      // Also when this delivery fell back to the hash: the same signed bytes read another way
      // (Slack's Content-Type) must still meet the key of the first reading. The same bytes are
      // hashed once for both.
      if (definition.id && !definition.idSigned) {
        signed ??= verified.signedMaterial ?? context.bytes
        const material = verified.replayMaterial === undefined ? signed : verified.replayMaterial
        if (material !== null) {
          let hash = material === signed ? signedHash : undefined
          if (hash === undefined) {
            const hashed = sha256Hex(material)
            hash = typeof hashed === 'string' ? hashed : await hashed
          }
          result.replayKeys = [`sig:${hash}`]
        }
      }
      if (verified.timestamp !== undefined) result.timestamp = verified.timestamp
      const acceptedResponse = definition.acceptedResponse?.(context, payload)
      if (acceptedResponse) result.acceptedResponse = acceptedResponse
      return result
    },
  }
}

/**
 * A sentence for {@link ProviderDefinition.secretHint}: the first rule whose pattern matches the
 * start of a configured string secret names what was passed instead (only the public prefix,
 * such as `sk_live_`, is quoted). `expected`, when given, is said when no secret has that prefix.
 */
export function secretFormatHint(
  secret: unknown,
  rules: ReadonlyArray<{ prefix: RegExp; is: string }>,
  expected?: { prefix: string; where: string },
): string | undefined {
  const strings = (Array.isArray(secret) ? secret : [secret]).filter((item): item is string => typeof item === 'string')
  for (const text of strings) {
    for (const rule of rules) {
      const match = rule.prefix.exec(text)
      if (match)
        return `The configured secret starts with ${match[0]}: that is ${rule.is}, not this endpoint's signing secret${expected ? ` (it starts with ${expected.prefix}; ${expected.where})` : ''}.`
    }
  }
  if (expected && strings.length > 0 && !strings.some((text) => text.startsWith(expected.prefix))) {
    return `Signing secrets of this provider start with ${expected.prefix}, and the configured one does not (${expected.where}).`
  }
  return undefined
}

/** Reads `path` (`'data.id'`) from parsed JSON, as a string, or `undefined`. */
export function pick(value: unknown, path: string): string | undefined {
  let current: unknown = value
  // Walked with indexOf rather than split: presets call this once or twice per event of a batch
  // (SendGrid sends a thousand in 64 KB), and an array per call was a fifth of that verification.
  for (let start = 0; ; ) {
    if (current === null || typeof current !== 'object') return undefined
    const end = path.indexOf('.', start)
    current = (current as Record<string, unknown>)[end === -1 ? path.slice(start) : path.slice(start, end)]
    if (end === -1) break
    start = end + 1
  }
  if (typeof current === 'string') return current || undefined
  if (typeof current === 'number' && Number.isFinite(current)) return String(current)
  return undefined
}

/** Every 4xx and 5xx is retried (Stripe, Shopify, Svix, PayPal, ...): an id in flight gets 409. */
export const RETRIES_ANY_ERROR: readonly StatusRange[] = [[400, 599]]
/** Only 5xx (and timeouts) are retried, a 4xx is final: an id in flight gets 503. */
export const RETRIES_5XX: readonly StatusRange[] = [[500, 599]]
/** 429 and 5xx are retried, any other 4xx is final (Sanity, HubSpot): an id in flight gets 503. */
export const RETRIES_429_5XX: readonly StatusRange[] = [
  [429, 429],
  [500, 599],
]
/** The provider never retries by itself; a failed delivery is redelivered by hand. */
export const RETRIES_NONE: readonly StatusRange[] = []

export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
