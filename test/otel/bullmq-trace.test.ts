import { randomBytes } from 'node:crypto'
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { type Job, Queue, Worker } from 'bullmq'
import { afterAll, describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookEvent } from '../../src/index.js'
import { contextFromHeaders, withOpenTelemetry } from '../../src/otel/index.js'
import { stripe } from '../../src/providers/index.js'
import { bullmqEnqueue } from '../../src/queues/bullmq.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { telemetry } from './telemetry.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const SECRET = 'whsec_otel_bullmq'

describe.skipIf(!hasRedis)('a trace started in the receiver continues in a real BullMQ worker', () => {
  const { hostname, port } = new URL(redisUrl())
  const connection = { host: hostname, port: Number(port || 6379) }
  const prefix = `wi-otel-${randomBytes(5).toString('hex')}`
  const sdk = telemetry()
  const queue = new Queue('webhooks', {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { age: 5 * 86_400 } },
  })
  let worker: Worker | undefined
  afterAll(async () => {
    await worker?.close()
    await queue.obliterate({ force: true })
    await queue.close()
    await sdk.shutdown()
  })

  it('the worker span is a child of the send span, in the trace of the delivery span', async () => {
    const handler = createWebhookHandler(
      withOpenTelemetry(
        {
          provider: stripe({ secret: SECRET }),
          store: memoryStore(),
          onWarning: () => {},
          enqueue: bullmqEnqueue(queue),
        },
        { tracer: sdk.tracer, meter: sdk.meter, messaging: { system: 'bullmq', destination: 'webhooks' } },
      ),
    )
    const processed = new Promise<string>((resolve, reject) => {
      worker = new Worker(
        'webhooks',
        async (job: Job<WebhookEvent>) => {
          const metadata = job.opts.telemetry?.metadata
          const parent = contextFromHeaders(metadata ? JSON.parse(metadata) : undefined, ROOT_CONTEXT)
          const span = sdk.tracer.startSpan('process webhooks', { kind: SpanKind.CONSUMER }, parent)
          span.end()
          resolve(job.data.id)
        },
        { connection, prefix },
      )
      worker.on('error', reject)
    })
    const request = await signStripeRequest({
      secret: SECRET,
      body: { id: 'evt_bullmq_trace', type: 'invoice.paid', object: 'event' },
    })
    expect((await handler.handle(request)).status).toBe(200)
    expect(await processed).toBe('evt_bullmq_trace')

    const spans = sdk.finished()
    const server = spans.find((s) => s.kind === SpanKind.SERVER)
    const send = spans.find((s) => s.name === 'send webhooks')
    const consumer = spans.find((s) => s.name === 'process webhooks')
    expect(send?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId)
    expect(consumer?.spanContext().traceId).toBe(server?.spanContext().traceId)
    expect(consumer?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId)
    expect(consumer?.parentSpanContext?.isRemote).toBe(true)
  })
})
