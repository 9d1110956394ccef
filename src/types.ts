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
 * The fields every accepted event has, with its payload type `T` and its type `K`. Use
 * {@link WebhookEvent} in your code: it is this, narrowed per event type when `T` is typed.
 */
export interface WebhookEventFields<T = unknown, K extends string = string> {
  /** Provider preset name, for example `stripe`. */
  provider: string
  /** The provider's event id (or the SHA-256 fallback, see the README). The dedupe key is `provider:id`. */
  id: string
  /** Event type or topic, `''` when the provider has none. */
  type: K
  /** The parsed body (JSON, or form fields for form-encoded providers). */
  payload: T
  /** The raw body as UTF-8 text, or base64 when `bodyEncoding` is `'base64'`. */
  body: string
  /** Present only when the raw body was not valid UTF-8. */
  bodyEncoding?: 'base64'
  /**
   * Request headers, lower-cased, without credentials (`authorization`, `cookie`, provider tokens)
   * and, unless the handler's `keepSignatureHeaders` is set, without the signature headers.
   */
  headers: Record<string, string>
  /** When this process accepted the delivery (ISO 8601). */
  receivedAt: string
  /** The provider's signed timestamp (ISO 8601), when the scheme has one. */
  timestamp?: string
  /**
   * Set to `true` by the ordering guard (`createEventRouter({ ordering })`) when a newer event of
   * the same resource was already seen; absent otherwise.
   */
  stale?: boolean
}

declare const eventMapKey: unique symbol

/** The key part of an {@link EventMap}: a type only, never a property at run time. */
export interface EventMapKeys<M extends object> {
  readonly [eventMapKey]: M
}

/**
 * Marks an event map: event type → payload type, for providers whose payload does not carry
 * its own type (GitHub's `X-GitHub-Event`, Shopify's topic). `WebhookEvent<EventMap<M>>` is the
 * union of one event per key of `M`, narrowed on `type`. A type only: nothing of it exists at
 * run time. As a payload type it is the union of the map's payloads (a direct
 * `provider.verify()` call gets one of them), marked with the map for the types that pair each
 * payload with its type; `PayloadOf<T>` names the plain union.
 *
 * @example
 * import type { EventMap, WebhookEvent } from 'webhook-inbox'
 * type AcmeEvents = EventMap<{ 'order.paid': { order: { id: string; total: number } } }>
 * const total = (event: WebhookEvent<AcmeEvents>) => event.payload.order.total
 */
export type EventMap<M extends object> = M[keyof M] & EventMapKeys<M>

/**
 * The payload of a typed event; `WebhookEvent<T>` for `T` an event map, or `T` itself otherwise.
 * Presets are generic in it: `stripe<Stripe.Event>({ secret })`.
 */
export type PayloadOf<T> = IsAny<T> extends true ? T : [T] extends [EventMapKeys<infer M>] ? M[keyof M] : T

type IsAny<T> = 0 extends 1 & T ? true : false

type EventsOf<T> = T extends { readonly type: infer K extends string }
  ? WebhookEventFields<T, K>
  : WebhookEventFields<T, string>

/**
 * An accepted event. Plain JSON-safe data: `JSON.parse(JSON.stringify(event))` deep-equals it,
 * so `enqueue` can put it on any queue unchanged.
 *
 * Typed by its payload `T`. When `T` is a union whose members carry a literal `type` (such as
 * `Stripe.Event`), or an {@link EventMap}, this is a union of one event per type, so
 * `event.type === 'invoice.paid'` narrows `event.payload` with no cast. The type must be the
 * one the preset reads (`event.type`); for other payloads it is `string`.
 *
 * @example
 * import type Stripe from 'stripe'
 * import type { WebhookEvent } from 'webhook-inbox'
 * function amount(event: WebhookEvent<Stripe.Event>) {
 *   if (event.type === 'invoice.paid') return event.payload.data.object.amount_paid
 * }
 */
export type WebhookEvent<T = unknown> =
  IsAny<T> extends true
    ? WebhookEventFields<T, string>
    : [T] extends [EventMapKeys<infer M>]
      ? { [K in keyof M & string]: WebhookEventFields<M[K], K> }[keyof M & string]
      : EventsOf<T>

/** The result of a provider's verification. Network input never throws; it comes back as `ok: false`. */
export type VerifyResult<T = unknown> =
  | {
      ok: true
      /** Event id used for dedupe: the delivery is claimed under `provider:id`. */
      id: string
      /**
       * More dedupe keys for this delivery, each derived from bytes the signature covers, such as
       * `sig:<hex SHA-256 of the signed material>` where the id itself is not signed. The handler
       * claims `provider:<key>` for each, together with `provider:id`; a hit on any of them is a
       * duplicate, so a captured delivery re-sent under another id is still refused.
       */
      replayKeys?: readonly string[]
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
  /**
   * Whether the id is read only from signed bytes (or made up by the preset), so it alone is a
   * safe dedupe key. When false, the delivery is also claimed under a key derived from the
   * signed material. Filled in by `defineProvider` from its `idSigned`.
   */
  idSigned?: boolean
  /** Where the event type comes from, e.g. `body \`type\`` or `X-GitHub-Event header`. */
  type?: string
  /** Whether the type is read only from signed bytes; an unsigned type header is attacker-controlled. */
  typeSigned?: boolean
  /**
   * The scheme proves the sender with a shared token or credentials and signs nothing: whoever
   * holds the token can send any body, id and type.
   */
  sharedToken?: boolean
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
   * Headers that carry the signature (and its parts, such as a certificate URL). Kept out of
   * `WebhookEvent.headers` unless the handler's `keepSignatureHeaders` is set: whoever reads
   * the queue could otherwise replay the delivery.
   */
  readonly signatureHeaders?: readonly string[]
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
  /** Its `payload` is a `T`: for an {@link EventMap}, one of the map's payloads. */
  verify(request: WebhookRequest, options: VerifyOptions): Promise<VerifyResult<T>>
}
