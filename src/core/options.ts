import { configInvariant } from '../errors.js'
import { type PayloadSchemas, withSchemas } from '../events/schemas.js'
import type { Inbox } from '../inbox/types.js'
import type { DedupeStore } from '../stores/types.js'
import type { Provider, WebhookEvent, WebhookRequest, WebhookResponse } from '../types.js'
import type { WebhookLogger } from './log.js'

/** What `onRejected` is told. Never a secret, signature or payload. */
export interface RejectedInfo {
  provider: string
  method: string
  error: import('../errors.js').WebhookError
}

/** What `onError` is told: a failure on the handler's side (store, enqueue, a hook). */
export interface ErrorInfo {
  provider: string
  phase: 'verify' | 'claim' | 'accept' | 'enqueue' | 'complete' | 'release' | 'hook'
  /** The dedupe key's id part, when the failure concerns one event. */
  id?: string
  error: unknown
}

/**
 * The second argument of `enqueue`. Your own `enqueue` should stop waiting once `signal` aborts
 * (the handler has then released the claim and answered 5xx, so the provider retries) and should
 * use `key` as the queue's idempotency id, so that a write that still lands after the abort is
 * stored once when the retry writes it again.
 *
 * @example
 * import { createWebhookHandler } from 'webhook-inbox'
 * createWebhookHandler({
 *   provider,
 *   enqueue: async (event, { signal, headers, key }) => {
 *     await queue.add(event.type, event, { jobId: encodeURIComponent(key) }, { signal })
 *   },
 * })
 */
export interface EnqueueContext {
  /** Aborts when `enqueueTimeoutMs` runs out: the delivery is then answered 503 and its claim released. */
  signal: AbortSignal
  /**
   * Extra message headers to carry beside `webhook-provider`, `webhook-id` and `webhook-type`
   * (the OpenTelemetry wrapper puts `traceparent` and `tracestate` here). Empty by default.
   */
  headers: Record<string, string>
  /**
   * The event's primary dedupe key, `provider:id` (the first of the store's keys), to use as the
   * queue's idempotency id (BullMQ `jobId`, pg-boss `id`, AMQP `messageId`, JetStream `msgID`).
   */
  key: string
  /**
   * How long the store remembers a processed id (the handler's `retentionMs`): keep queued
   * messages at least this long for the queue's own deduplication to cover the same window.
   */
  retentionMs: number
}

/** What a function given as `acceptedResponse` is told. */
export interface AcceptedInfo<T = unknown> {
  provider: string
  id: string
  type: string
  payload: T
  /** True when this delivery is a duplicate of one already processed. */
  duplicate: boolean
  /** The answer the preset would send. */
  preset: WebhookResponse
}

/** Options of {@link createWebhookHandler}. Durations in milliseconds, sizes in bytes. */
export interface WebhookHandlerOptions<T = unknown> {
  /** The provider preset, e.g. `stripe({ secret })` from `webhook-inbox/providers`. */
  provider: Provider<T>
  /**
   * A Standard Schema (zod, valibot, arktype) per event type, `'*'` for every type without its
   * own: each payload is checked after a good signature, a failure answers 400
   * `invalid_payload` with the failing paths (never the values) and reaches `onRejected` as a
   * `WebhookPayloadError`, and the schema's output becomes `event.payload`. The same as
   * `provider: withSchemas(provider, schemas)`; `handler.provider` is that wrapped provider.
   *
   * @example
   * import { z } from 'zod'
   * import { createWebhookHandler } from 'webhook-inbox'
   * import type { ShopifyEvents } from 'webhook-inbox/events'
   * import { shopify } from 'webhook-inbox/providers'
   *
   * createWebhookHandler({
   *   provider: shopify<ShopifyEvents>({ secret: process.env.SHOPIFY_API_SECRET }),
   *   schemas: { 'orders/paid': z.looseObject({ id: z.number(), total_price: z.string() }) },
   *   enqueue: async (event) => { await queue.add(event.type, event) },
   * })
   */
  schemas?: PayloadSchemas<T>
  /**
   * Hands an accepted event to your queue. Resolve once it is durably queued (await the
   * publish: returning before it is stored answers 200 for an event that may be lost); throw to
   * have the provider retry. Use a helper from `webhook-inbox/bullmq`, `/pg-boss`, `/amqp` or
   * `/nats`, or honour {@link EnqueueContext} yourself. Required unless `inbox` is set.
   */
  enqueue?: (event: WebhookEvent<T>, context: EnqueueContext) => Promise<unknown> | unknown
  /**
   * Dedupes and durably stores each delivery in one atomic step, instead of `store` + `enqueue`:
   * the answer is 200 only once the row is committed; a `createInboxWorker` processes it after.
   * Set either `inbox`, or `store` and `enqueue`, never both.
   */
  inbox?: Inbox
  /**
   * Where processed ids are remembered. Use a shared store (Redis, PostgreSQL) when more than
   * one process receives webhooks.
   * @default memoryStore()
   */
  store?: DedupeStore
  /** Largest body accepted; larger ones get 413, and `fetch` stops reading past it. @default 1048576 (1 MiB) */
  maxBodyBytes?: number
  /**
   * How long `enqueue` may take before the delivery is answered 503 and its claim released.
   * @default half the provider's response deadline (5000 when it has none)
   */
  enqueueTimeoutMs?: number
  /** How long one store (or inbox) call may take before the delivery is answered 503. @default 2000 */
  storeTimeoutMs?: number
  /**
   * How long a claim holds an id while it is enqueued; a crashed process blocks the id no longer.
   * Must be above `enqueueTimeoutMs`.
   * @default max(30000, 2 × enqueueTimeoutMs + 3 × storeTimeoutMs)
   */
  leaseMs?: number
  /**
   * How long a processed id is remembered.
   * @default 1.25 × max(the provider's retry window, 24 h)
   */
  retentionMs?: number
  /**
   * Keep the provider's signature headers (`stripe-signature`, `webhook-signature`,
   * `x-hub-signature-256`, ...; each preset lists them in `signatureHeaders`) in
   * `WebhookEvent.headers`. Off by default: anyone who can read the queue or a log of events could
   * otherwise replay the delivery. Turn it on only when your worker verifies the signature again.
   * Credentials (`authorization`, `cookie`, provider tokens) are never kept.
   * @default false
   */
  keepSignatureHeaders?: boolean
  /** Clock in epoch milliseconds (for tests). @default Date.now */
  now?: () => number
  /** Called once per accepted event, after `enqueue` succeeded. */
  onAccepted?: (event: WebhookEvent<T>) => void
  /** Called when a delivery of an already processed id arrives. */
  onDuplicate?: (info: { provider: string; id: string }) => void
  /** Called for every refused delivery (bad signature, too large, in flight, ...). */
  onRejected?: (info: RejectedInfo) => void
  /** Called for failures on our side: store, enqueue, a throwing hook. */
  onError?: (info: ErrorInfo) => void
  /**
   * Receives setup warnings, such as the default memory store not deduplicating across
   * processes, or an `enqueue` that returned no promise. @default the logger's warn
   */
  onWarning?: (message: string) => void
  /**
   * The answer to an accepted delivery (and to its duplicates), instead of the preset's:
   * `{"ok":true,"id":…}` JSON by default, an empty TwiML `<Response/>` for Twilio form and GET
   * webhooks, an empty 200 for Slack commands and interactions, Discord's deferred reply. A
   * function gets the event's id, type and payload and the preset's answer; returning
   * `undefined` keeps the preset's. It runs after `enqueue` succeeded; if it throws, the
   * preset's answer is sent and `onError` is told (phase `hook`).
   * @default the preset's answer
   * @example
   * import { createWebhookHandler } from 'webhook-inbox'
   * import { slack } from 'webhook-inbox/providers'
   *
   * const handler = createWebhookHandler({
   *   provider: slack({ secret: process.env.SLACK_SIGNING_SECRET }),
   *   enqueue: async (event) => { await queue.add(event.type, event) },
   *   acceptedResponse: ({ type }) =>
   *     type === 'view_submission'
   *       ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"response_action":"clear"}' }
   *       : undefined,
   * })
   */
  acceptedResponse?: WebhookResponse | ((accepted: AcceptedInfo<T>) => WebhookResponse | undefined)
  /**
   * Where the handler logs wiring mistakes (`body_already_parsed`), 5xx causes (store
   * outages, what `enqueue` threw) and a count of 401s: each kind once, then again at its
   * 10th, 100th, ... occurrence, never with a secret, a signature, a header value or the
   * payload. Any object with `warn(message)` and `error(message)` (pino, winston); `false`
   * silences it. With the default, kinds a hook you set already receives (`onRejected`,
   * `onError`) are left to that hook; a logger you pass gets them all.
   * @default console
   */
  logger?: WebhookLogger | false
  /**
   * Instrumentation points for tracing and metrics. Build it with `withOpenTelemetry` from
   * `webhook-inbox/otel` rather than by hand: its shape may change in a minor release. Absent
   * (the default), the handler does no instrumentation work at all.
   */
  instrumentation?: HandlerInstrumentation
}

/** The steps of one delivery that {@link HandlerInstrumentation} sees. */
export type DeliveryStep = 'verify' | 'claim' | 'accept' | 'enqueue' | 'complete' | 'release'

/**
 * Runs one step of a delivery. It must call `work` once and settle as it settles; `event` is
 * given for the `enqueue` step (the object the handler passes to `enqueue`).
 */
export type DeliveryStepRunner = <V>(step: DeliveryStep, work: () => Promise<V>, event?: WebhookEvent) => Promise<V>

/**
 * What the handler tells an instrumentation about each delivery: `start` when it begins (also
 * for refusals an adapter reports through `handler.refuse`, which have only a method), every
 * step through the returned `step`, and the answer through `end` (`undefined` if the handler
 * threw, which it is written never to do). Used by `webhook-inbox/otel`.
 *
 * @example
 * import { createWebhookHandler, type HandlerInstrumentation } from 'webhook-inbox'
 * import { github } from 'webhook-inbox/providers'
 *
 * const timing: HandlerInstrumentation = {
 *   start() {
 *     const startedAt = performance.now()
 *     return {
 *       step: (_step, work) => work(),
 *       end: (response) => console.log(response?.status, performance.now() - startedAt),
 *     }
 *   },
 * }
 * createWebhookHandler({
 *   provider: github({ secret: 'github-webhook-secret' }),
 *   enqueue: async (event) => { await queue.add(event.type, event) },
 *   instrumentation: timing,
 * })
 */
export interface HandlerInstrumentation {
  start(request: Pick<WebhookRequest, 'method'> & Partial<Pick<WebhookRequest, 'url' | 'headers'>>): {
    step: DeliveryStepRunner
    end(response: WebhookResponse | undefined): void
  }
}

export interface ResolvedTimings {
  maxBodyBytes: number
  enqueueTimeoutMs: number
  storeTimeoutMs: number
  leaseMs: number
  retentionMs: number
}

const HOUR = 3_600_000
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

function positive(value: number | undefined, name: string): void {
  configInvariant(
    value === undefined || (Number.isFinite(value) && value > 0),
    `createWebhookHandler: \`${name}\` must be a positive finite number of ${name.endsWith('Bytes') ? 'bytes' : 'milliseconds'}.`,
  )
}

/** The provider the handler verifies with: `options.provider`, wrapped by `withSchemas` when `schemas` is set. */
export function schemaCheckedProvider<T>(options: WebhookHandlerOptions<T>): Provider<T> {
  const { provider, schemas } = options
  // An absent or malformed provider is left to the handler's own check and message.
  if (schemas === undefined || typeof provider?.verify !== 'function') return provider
  return withSchemas(provider, schemas)
}

/** Validates options and fills in defaults derived from the provider. Throws `WebhookConfigError`. */
export function resolveTimings<T>(options: WebhookHandlerOptions<T>): ResolvedTimings {
  const { provider } = options
  for (const name of ['maxBodyBytes', 'enqueueTimeoutMs', 'storeTimeoutMs', 'leaseMs', 'retentionMs'] as const) {
    positive(options[name], name)
  }
  const deadline = provider.responseDeadlineMs
  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? (deadline ? Math.max(500, Math.floor(deadline / 2)) : 5000)
  const storeTimeoutMs = options.storeTimeoutMs ?? 2000
  const leaseMs = options.leaseMs ?? Math.max(30_000, 2 * enqueueTimeoutMs + 3 * storeTimeoutMs)
  configInvariant(
    leaseMs > enqueueTimeoutMs,
    `createWebhookHandler: \`leaseMs\` (${leaseMs}) must be above \`enqueueTimeoutMs\` (${enqueueTimeoutMs}), or a slow enqueue could run while another delivery of the same id claims it.`,
    provider.name,
  )
  const retentionMs = options.retentionMs ?? Math.ceil(1.25 * Math.max(provider.retryWindowMs ?? 0, 24 * HOUR))
  return {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    enqueueTimeoutMs,
    storeTimeoutMs,
    leaseMs,
    retentionMs,
  }
}
