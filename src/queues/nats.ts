import { messageHeaders, publishing, requireContext } from '../core/enqueue-context.js'
import type { EnqueueContext } from '../core/options.js'
import { configInvariant } from '../errors.js'
import type { WebhookEvent } from '../types.js'

/**
 * The message headers the NATS clients accept: what they call on a `MsgHdrs` when they publish.
 * @internal
 */
interface NatsHeadersLike {
  set(key: string, value: string): void
  encode(): Uint8Array
}

/** The part of a JetStream client this helper uses: `nats` 2 (`nc.jetstream()`) or `@nats-io/jetstream` 3 (`jetstream(nc)`). */
export interface JetStreamClientLike {
  publish(
    subject: string,
    payload: Uint8Array,
    // biome-ignore lint/suspicious/noExplicitAny: each client types `headers` as its own MsgHdrs class; the helper passes a compatible one (see NatsPublishOptions).
    options?: any,
  ): Promise<{ stream: string; seq: number; duplicate: boolean }>
}

/** What the helper passes to `js.publish`. */
interface NatsPublishOptions {
  msgID: string
  headers: NatsHeadersLike
  timeout?: number
}

/** Options of {@link jetStreamEnqueue}. */
export interface JetStreamEnqueueOptions {
  /** How long to wait for the stream's ack, in milliseconds. @default the client's own (5000) */
  timeoutMs?: number
}

// Header values cannot hold CR or LF (the NATS wire format is line based); ids and types come
// from signed material but may hold anything, so values outside printable ASCII are percent-encoded.
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value)
}

// A minimal MsgHdrs: both clients only `set` the JetStream headers on it and `encode` it, and this
// way the helper needs no import of either client.
class WireHeaders implements NatsHeadersLike {
  readonly #values = new Map<string, string>()
  set(key: string, value: string): void {
    this.#values.set(key, headerValue(value))
  }
  get(key: string): string {
    return this.#values.get(key) ?? ''
  }
  has(key: string): boolean {
    return this.#values.has(key)
  }
  keys(): string[] {
    return [...this.#values.keys()]
  }
  toString(): string {
    let text = 'NATS/1.0\r\n'
    for (const [key, value] of this.#values) text += `${key}: ${value}\r\n`
    return `${text}\r\n`
  }
  encode(): Uint8Array {
    return new TextEncoder().encode(this.toString())
  }
}

/**
 * An `enqueue` for NATS JetStream: publishes the `WebhookEvent` as JSON with `msgID` = the event's
 * dedupe key and resolves on the stream's ack (the message is stored). JetStream drops a second
 * publish of the same `msgID` within the stream's `duplicate_window` (2 minutes by default) and
 * acks it as a duplicate, which closes the complete-after-enqueue window for that long; the
 * dedupe store covers the rest of the provider's retry window. Headers: `webhook-provider`,
 * `webhook-id`, `webhook-type` and `context.headers` (values outside printable ASCII are
 * percent-encoded). The subject must belong to a stream, or the publish throws.
 *
 * @example
 * import { connect } from '@nats-io/transport-node'
 * import { jetstream, jetstreamManager } from '@nats-io/jetstream'
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { jetStreamEnqueue } from 'webhook-inbox/nats'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const nc = await connect({ servers: '127.0.0.1:4222' })
 * const jsm = await jetstreamManager(nc)
 * await jsm.streams.add({ name: 'WEBHOOKS', subjects: ['webhooks.>'], duplicate_window: 2 * 60 * 1e9 })
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: jetStreamEnqueue(jetstream(nc), (event) => `webhooks.${event.provider}`),
 * })
 */
export function jetStreamEnqueue<T = unknown>(
  js: JetStreamClientLike,
  subject: string | ((event: WebhookEvent<T>) => string),
  options: JetStreamEnqueueOptions = {},
): (event: WebhookEvent<T>, context: EnqueueContext) => Promise<void> {
  configInvariant(
    typeof js?.publish === 'function',
    'jetStreamEnqueue: pass a JetStream client: `jetstream(nc)` from @nats-io/jetstream, or `nc.jetstream()` from nats.',
  )
  configInvariant(
    (typeof subject === 'string' && subject !== '') || typeof subject === 'function',
    'jetStreamEnqueue: `subject` is required: a string or a function of the event.',
  )
  const { timeoutMs } = options
  configInvariant(
    timeoutMs === undefined || (Number.isFinite(timeoutMs) && timeoutMs > 0),
    'jetStreamEnqueue: `timeoutMs` must be a positive number of milliseconds.',
  )
  return async function enqueue(event, context) {
    requireContext('jetStreamEnqueue', context)
    const headers = new WireHeaders()
    for (const [key, value] of Object.entries(messageHeaders(event as WebhookEvent, context))) {
      headers.set(key, value)
    }
    const payload = new TextEncoder().encode(JSON.stringify(event))
    const target = typeof subject === 'function' ? subject(event) : subject
    const publish: NatsPublishOptions = { msgID: context.key, headers }
    if (timeoutMs !== undefined) publish.timeout = timeoutMs
    await publishing('jetStreamEnqueue', context, () => js.publish(target, payload, publish))
  }
}
