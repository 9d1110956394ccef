import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EnqueueContext } from '../../src/index.js'
import { bullmqEnqueue, bullmqJobId } from '../../src/queues/bullmq.js'
import { testEnqueue } from '../../src/testing/index.js'
import { redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { delivery, errorMessage, expectedEvent, runId, stripeHandler } from './support.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))

describe.skipIf(!hasRedis)('webhook-inbox/bullmq against real Redis', () => {
  const { hostname, port } = new URL(redisUrl())
  const connection = { host: hostname, port: Number(port || 6379) }
  const prefix = `wi-test-${runId()}`
  let queue: Queue
  beforeAll(() => {
    queue = new Queue('webhooks', { connection, prefix, defaultJobOptions: { removeOnComplete: { age: 5 * 86_400 } } })
  })
  afterAll(async () => {
    await queue?.obliterate({ force: true })
    await queue?.close()
  })

  it('passes testEnqueue: stored on resolve, the same key once, an aborted signal refused, a dead queue rejects', async () => {
    const dead = new Queue('dead', {
      connection: {
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      },
      prefix,
    })
    dead.on('error', () => {})
    try {
      const report = await testEnqueue({
        enqueue: bullmqEnqueue(queue),
        isStored: async (key) => (await queue.getJob(bullmqJobId(key))) !== undefined,
        count: async (key) => {
          const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'delayed'])
          return jobs.filter((job) => job.id === bullmqJobId(key)).length
        },
        failing: bullmqEnqueue(dead),
      })
      expect(report.checks).toHaveLength(4)
    } finally {
      await dead.close().catch(() => {})
    }
  })

  it('through the handler: one job per event, named by type, data the event unchanged, jobId the encoded key', async () => {
    const { handler } = stripeHandler(bullmqEnqueue(queue))
    const request = await delivery('evt_bull:1/ü')
    expect((await handler.handle(request)).status).toBe(200)
    const job = await queue.getJob(bullmqJobId('stripe:evt_bull:1/ü'))
    expect(job?.id).toBe('stripe%3Aevt_bull%3A1%2F%C3%BC')
    expect(job?.name).toBe('invoice.paid')
    expect(job?.data).toMatchObject(expectedEvent('evt_bull:1/ü'))
    // Another process whose store missed it (a fresh memory store) adds nothing new.
    const other = stripeHandler(bullmqEnqueue(queue))
    expect((await other.handler.handle(await delivery('evt_bull:1/ü'))).status).toBe(200)
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'delayed'])
    expect(jobs.filter((j) => j.data?.id === 'evt_bull:1/ü')).toHaveLength(1)
  })

  it('carries context.headers as telemetry metadata', async () => {
    const enqueue = bullmqEnqueue(queue)
    const { handler } = stripeHandler((event, context) =>
      enqueue(event, {
        ...context,
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      }),
    )
    expect((await handler.handle(await delivery('evt_bull_trace'))).status).toBe(200)
    const job = await queue.getJob(bullmqJobId('stripe:evt_bull_trace'))
    expect(JSON.parse(job?.opts.telemetry?.metadata ?? '{}')).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
  })

  it('a forgotten await is a 500 and a dropped context a 500, both with a message that says what to do', async () => {
    const enqueue = bullmqEnqueue(queue)
    const forgot = stripeHandler(async (event, context) => {
      enqueue(event, context)
    })
    expect((await forgot.handler.handle(await delivery('evt_bull_forgot'))).status).toBe(500)
    expect(errorMessage(forgot.errors[0]?.error)).toContain('`await`')
    const dropped = stripeHandler((event) => enqueue(event, undefined as unknown as EnqueueContext))
    expect((await dropped.handler.handle(await delivery('evt_bull_dropped'))).status).toBe(500)
    expect(errorMessage(dropped.errors[0]?.error)).toContain('without the enqueue context')
  })

  it('warns once when completed jobs are removed before the retention', async () => {
    const warnings: string[] = []
    const eager = new Queue('eager', { connection, prefix, defaultJobOptions: { removeOnComplete: true } })
    try {
      const { handler } = stripeHandler(bullmqEnqueue(eager, { onWarning: (m) => warnings.push(m) }))
      for (const id of ['evt_w1', 'evt_w2']) expect((await handler.handle(await delivery(id))).status).toBe(200)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('removeOnComplete')
      const kept = stripeHandler(bullmqEnqueue(queue, { onWarning: (m) => warnings.push(m) }))
      expect((await kept.handler.handle(await delivery('evt_w3'))).status).toBe(200)
      expect(warnings).toHaveLength(1)
    } finally {
      await eager.obliterate({ force: true })
      await eager.close()
    }
  })
})
