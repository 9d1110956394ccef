import type { ConfirmChannel, Options } from 'amqplib'
import { messageHeaders, publishing, requireContext } from '../core/enqueue-context.js'
import type { EnqueueContext } from '../core/options.js'
import { configInvariant } from '../errors.js'
import type { WebhookEvent } from '../types.js'

/** The part of an amqplib `ConfirmChannel` this helper uses (amqplib 0.10 and 2). */
export type AmqpConfirmChannelLike = Pick<ConfirmChannel, 'publish' | 'waitForConfirms' | 'on' | 'off'>

/** Options of {@link amqpEnqueue}. */
export interface AmqpEnqueueOptions<T = unknown> {
  /** The exchange to publish to; `''` is the default exchange, where the routing key names the queue. */
  exchange: string
  /** The routing key, a string or a function of the event (for example `(event) => event.type`). */
  routingKey: string | ((event: WebhookEvent<T>) => string)
  /**
   * Ask the broker to return a message no queue is bound for; the publish then throws instead of
   * being confirmed into nowhere. @default true
   */
  mandatory?: boolean
  /** More publish properties (expiration, priority, ...). The helper's own ones always win. */
  publishOptions?: Omit<Options.Publish, 'messageId' | 'persistent' | 'mandatory' | 'headers'>
}

interface ChannelState {
  returned: Set<string>
}

const states = new WeakMap<AmqpConfirmChannelLike, ChannelState>()

// A returned message reaches us before the broker's ack of it (AMQP 0-9-1, basic.return precedes
// basic.ack for mandatory messages that cannot be routed), so the confirm callback can check.
function stateOf(channel: AmqpConfirmChannelLike): ChannelState {
  let state = states.get(channel)
  if (!state) {
    const created: ChannelState = { returned: new Set() }
    channel.on('return', (message: { properties?: { messageId?: unknown } }) => {
      const id = message?.properties?.messageId
      if (typeof id === 'string') created.returned.add(id)
    })
    states.set(channel, created)
    state = created
  }
  return state
}

/**
 * An `enqueue` for RabbitMQ through amqplib: publishes the `WebhookEvent` as JSON on a confirm
 * channel, persistent, with `messageId` = the event's dedupe key, and resolves only once the
 * broker confirmed it. A nack, an unroutable message (with `mandatory`), a closed channel or an
 * abort throws, so the handler releases the claim and answers 5xx and the provider retries.
 * Headers: `webhook-provider`, `webhook-id`, `webhook-type` and `context.headers`.
 *
 * RabbitMQ has no broker-side deduplication: a delivery that slips past the dedupe store (the
 * complete-after-enqueue window) is published twice with the same `messageId`. Consumers drop a
 * `messageId` they have already processed (see the README).
 *
 * @example
 * import amqp from 'amqplib'
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { amqpEnqueue } from 'webhook-inbox/amqp'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672')
 * const channel = await connection.createConfirmChannel()
 * await channel.assertQueue('webhooks', { durable: true })
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: amqpEnqueue(channel, { exchange: '', routingKey: 'webhooks' }),
 * })
 */
export function amqpEnqueue<T = unknown>(
  channel: AmqpConfirmChannelLike,
  options: AmqpEnqueueOptions<T>,
): (event: WebhookEvent<T>, context: EnqueueContext) => Promise<void> {
  configInvariant(
    typeof channel?.publish === 'function' && typeof channel.on === 'function',
    'amqpEnqueue: pass an amqplib channel, e.g. `await connection.createConfirmChannel()`.',
  )
  configInvariant(
    typeof channel.waitForConfirms === 'function',
    'amqpEnqueue: the channel must be a confirm channel (`connection.createConfirmChannel()`), or a publish is never confirmed.',
  )
  const { exchange, routingKey, mandatory = true, publishOptions = {} } = options ?? ({} as AmqpEnqueueOptions<T>)
  configInvariant(typeof exchange === 'string', 'amqpEnqueue: `exchange` is required (`""` for the default exchange).')
  configInvariant(
    typeof routingKey === 'string' || typeof routingKey === 'function',
    'amqpEnqueue: `routingKey` is required: a string or a function of the event.',
  )
  const state = stateOf(channel)
  return async function enqueue(event, context) {
    requireContext('amqpEnqueue', context)
    const key = context.key
    const content = Buffer.from(JSON.stringify(event))
    const route = typeof routingKey === 'function' ? routingKey(event) : routingKey
    const properties: Options.Publish = {
      contentType: 'application/json',
      type: event.type,
      ...publishOptions,
      messageId: key,
      persistent: true,
      mandatory,
      headers: messageHeaders(event as WebhookEvent, context),
    }
    await publishing(
      'amqpEnqueue',
      context,
      () =>
        new Promise<void>((resolve, reject) => {
          // Publishing on a closed channel throws synchronously (IllegalOperationError).
          channel.publish(exchange, route, content, properties, (error) => {
            const returned = state.returned.delete(key)
            if (error)
              reject(
                new Error(
                  `[webhook-inbox] [${event.provider}] amqpEnqueue: the broker did not confirm the message (${error.message}).`,
                  { cause: error },
                ),
              )
            else if (returned)
              reject(
                new Error(
                  `[webhook-inbox] [${event.provider}] amqpEnqueue: no queue is bound for exchange "${exchange}" and routing key "${route}"; the broker returned the message.`,
                ),
              )
            else resolve()
          })
        }),
    )
  }
}
