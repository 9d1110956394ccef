import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { amqpEnqueue } from '../../src/queues/amqp.js'
import { testEnqueue } from '../../src/testing/index.js'
import { amqpUrl, requireService, tcpProbe } from '../helpers/services.js'
import { delivery, errorMessage, expectedEvent, runId, stripeHandler } from './support.js'

const hasRabbit = await requireService('RabbitMQ', () => tcpProbe(amqpUrl()))

describe.skipIf(!hasRabbit)('webhook-inbox/amqp against real RabbitMQ', () => {
  const queue = `wi-test-${runId()}`
  let connection: ChannelModel
  let channel: ConfirmChannel
  let reader: amqp.Channel
  const seen = new Map<string, amqp.GetMessage>()
  async function drain(): Promise<void> {
    for (;;) {
      const message = await reader.get(queue, { noAck: true })
      if (message === false) return
      seen.set(String(message.properties.messageId), message)
    }
  }
  beforeAll(async () => {
    connection = await amqp.connect(amqpUrl())
    channel = await connection.createConfirmChannel()
    reader = await connection.createChannel()
    await channel.assertQueue(queue, { durable: true, autoDelete: false })
  })
  afterAll(async () => {
    await reader?.deleteQueue(queue).catch(() => {})
    await connection?.close().catch(() => {})
  })

  it('passes testEnqueue: confirmed before it resolves, an aborted signal refused, a closed channel rejects', async () => {
    const closed = await connection.createConfirmChannel()
    await closed.close()
    const report = await testEnqueue({
      enqueue: amqpEnqueue(channel, { exchange: '', routingKey: queue }),
      isStored: async (key) => {
        await drain()
        return seen.has(key)
      },
      failing: amqpEnqueue(closed, { exchange: '', routingKey: queue }),
    })
    expect(report.checks).toHaveLength(3)
  })

  it('through the handler: persistent JSON, messageId the key, routing headers and context headers', async () => {
    const enqueue = amqpEnqueue(channel, { exchange: '', routingKey: queue })
    const { handler } = stripeHandler((event, context) =>
      enqueue(event, { ...context, headers: { traceparent: 'tp' } }),
    )
    expect((await handler.handle(await delivery('evt_amqp_1'))).status).toBe(200)
    await drain()
    const message = seen.get('stripe:evt_amqp_1')
    expect(message?.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'invoice.paid',
    })
    expect(message?.properties.headers).toEqual({
      traceparent: 'tp',
      'webhook-provider': 'stripe',
      'webhook-id': 'evt_amqp_1',
      'webhook-type': 'invoice.paid',
    })
    expect(JSON.parse(String(message?.content))).toMatchObject(expectedEvent('evt_amqp_1'))
  })

  it('an unroutable message (no queue bound) is a 500, not a confirm into nowhere', async () => {
    const { handler, errors } = stripeHandler(
      amqpEnqueue(channel, { exchange: 'amq.direct', routingKey: `nobody-${queue}` }),
    )
    expect((await handler.handle(await delivery('evt_amqp_unroutable'))).status).toBe(500)
    expect(errorMessage(errors[0]?.error)).toContain('no queue is bound')
  })

  it('a broker nack (queue full, reject-publish) is a 500', async () => {
    const full = `${queue}-full`
    const own = await connection.createConfirmChannel()
    await own.assertQueue(full, { durable: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    try {
      const { handler, errors } = stripeHandler(amqpEnqueue(own, { exchange: '', routingKey: full }))
      expect((await handler.handle(await delivery('evt_amqp_fits'))).status).toBe(200)
      expect((await handler.handle(await delivery('evt_amqp_nacked'))).status).toBe(500)
      expect(errorMessage(errors[0]?.error)).toContain('did not confirm')
    } finally {
      await own.deleteQueue(full)
      await own.close()
    }
  })

  it('refuses a channel without confirms at setup', async () => {
    expect(() => amqpEnqueue(reader as unknown as ConfirmChannel, { exchange: '', routingKey: queue })).toThrow(
      /confirm channel/,
    )
  })
})
