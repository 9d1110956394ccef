import type { WebhookVerificationError } from './errors.js'

/** Header values as frameworks hand them over: a Fetch `Headers` or Node's plain object. */
export type HeadersInput = Headers | Record<string, string | readonly string[] | undefined>

/** What an adapter hands the core: the exact bytes received, headers, method and full public URL. */
export interface WebhookRequest {
  /** HTTP method, any case. */
  method: string
  /** Full public URL the provider called, including the query string. */
  url: string
  headers: HeadersInput
  /** The raw body exactly as received. A string is taken as its UTF-8 bytes. */
  body: Uint8Array | string
}

/** What the core answers; adapters write it back unchanged. */
export interface WebhookResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * An accepted event. Plain JSON-safe data: `JSON.parse(JSON.stringify(event))` deep-equals it,
 * so `enqueue` can put it on any queue unchanged.
 */
export interface WebhookEvent<T = unknown> {
  /** Provider preset name, for example `stripe`. */
  provider: string
  /** The provider's event id (or the SHA-256 fallback, see the README). The dedupe key is `provider:id`. */
  id: string
  /** Event type or topic, `''` when the provider has none. */
  type: string
  /** The parsed body (JSON, or form fields for form-encoded providers). */
  payload: T
  /** The raw body as UTF-8 text, or base64 when `bodyEncoding` is `'base64'`. */
  body: string
  /** Present only when the raw body was not valid UTF-8. */
  bodyEncoding?: 'base64'
  /** Request headers, lower-cased, without credentials (`authorization`, `cookie`, provider tokens). */
  headers: Record<string, string>
  /** When this process accepted the delivery (ISO 8601). */
  receivedAt: string
  /** The provider's signed timestamp (ISO 8601), when the scheme has one. */
  timestamp?: string
}

/** The result of a provider's verification. Network input never throws; it comes back as `ok: false`. */
export type VerifyResult<T = unknown> =
  | {
      ok: true
      /** Event id used for dedupe. */
      id: string
      type: string
      payload: T
      /** Signed timestamp in epoch milliseconds, when the scheme has one. */
      timestamp?: number
      /** A handshake answer: the handler replies with it and neither dedupes nor enqueues. */
      handshake?: WebhookResponse
      /**
       * The answer the provider needs once the event is accepted (or was already), instead of
       * `200 {"ok":true}`: Discord interactions need a deferred reply, Discord webhook events 204.
       */
      acceptedResponse?: WebhookResponse
    }
  | { ok: false; error: WebhookVerificationError }

/** Options every `verify` call gets from the handler. */
export interface VerifyOptions {
  /** Current time in epoch milliseconds. */
  now: number
}

/** An inclusive range of HTTP statuses, for example `[500, 599]`. */
export type StatusRange = readonly [number, number]

/** What a preset documents about itself; the README provider table is generated from it. */
export interface ProviderInfo {
  /** Display name, e.g. `GitHub`. */
  title: string
  /** The signature scheme in a few words, e.g. `HMAC-SHA256 hex of the body`. */
  scheme: string
  /** Headers the scheme reads, as the provider spells them. */
  headers: readonly string[]
  /** Where the event id comes from, e.g. `X-GitHub-Delivery header`. */
  id: string
  /** The handshake answered without enqueueing, if any. */
  handshake?: string
  /** Default timestamp tolerance, either direction; absent when the scheme signs no timestamp. */
  toleranceMs?: number
  /** Which answers the provider sends again, in words, with the source (e.g. `any non-2xx, 3 days (Stripe docs)`). */
  retries?: string
}

/**
 * A provider preset: verifies one provider's requests and says where its event id, type and
 * timestamp live. Build your own with the factories in `webhook-inbox/providers`.
 */
export interface Provider<T = unknown> {
  /** Short name, used in the dedupe key (`name:id`) and in error messages. */
  readonly name: string
  /** Methods the provider uses. @default ['POST'] */
  readonly methods?: readonly string[]
  /** How long the provider keeps retrying one event; sets the default `retentionMs`. */
  readonly retryWindowMs?: number
  /** How long the provider waits for an answer; sets the default `enqueueTimeoutMs`. */
  readonly responseDeadlineMs?: number
  /** Headers that carry a credential and are kept out of `WebhookEvent.headers`. */
  readonly sensitiveHeaders?: readonly string[]
  /**
   * The answers after which the provider sends the delivery again (timeouts and connection
   * failures always are). An id in flight is answered with one of them: 409 + `Retry-After`
   * where the provider retries a 409, otherwise 503 + `Retry-After` (AWS SNS, Sanity and
   * HubSpot treat a 4xx as final, so a 409 would lose the event). `[]` means the provider never
   * retries by itself (GitHub, Twilio): 409, which marks the delivery failed for a manual
   * redelivery. Where a provider does not document that it retries 4xx, only 5xx is listed.
   * @default [[400, 599]] (every 4xx and 5xx, so the in-flight answer is 409)
   */
  readonly retriedStatuses?: readonly StatusRange[]
  /** Documentation of the preset (scheme, headers, id source, handshake, tolerance). */
  readonly info?: ProviderInfo
  verify(request: WebhookRequest, options: VerifyOptions): Promise<VerifyResult<T>>
}
