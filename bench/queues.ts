// What each shipped queue helper adds to one delivery: handler.handle() with the memory store and
// the helper as `enqueue`, against the same handler with a no-op enqueue. Loopback services; an
// engine that does not answer is skipped with a message. Each run uses its own BullMQ prefix,
// pg-boss schema, RabbitMQ queue and NATS stream and removes them at the end.
import { randomBytes } from 'node:crypto'
import { createWebhookHandler, type EnqueueContext, type WebhookEvent } from '../src/index.js'
import { stripe } from '../src/providers/index.js'
import { memoryStore } from '../src/stores/memory.js'
import { signStripeRequest } from '../src/testing/index.js'
import type { WebhookRequest } from '../src/types.js'

type Enqueue = (event: WebhookEvent, context: EnqueueContext) => unknown

export interface QueueRow {
  what: string
  n: number
  p50: number
  p99: number
}

interface Engine {
  name: string
  enqueue: Enqueue
  close: () => Promise<unknown>
}

const SECRET = 'whsec_bench_queues'
const run = randomBytes(4).toString('hex')

async function within<V>(make: () => Promise<V>, ms = 5_000): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      make(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

async function engines(urls: { redis: string; postgres: string; amqp: string; nats: string }): Promise<Engine[]> {
  const list: Engine[] = [{ name: 'no-op enqueue', enqueue: () => {}, close: async () => {} }]
  const attempts: [string, () => Promise<Engine>][] = [
    [
      'BullMQ',
      async () => {
        const { Queue } = await import('bullmq')
        const { bullmqEnqueue } = await import('../src/queues/bullmq.js')
        const { hostname, port } = new URL(urls.redis)
        const queue = new Queue('bench', {
          connection: { host: hostname, port: Number(port || 6379) },
          prefix: `wi-bench-${run}`,
          defaultJobOptions: { removeOnComplete: { age: 5 * 86_400 } },
        })
        await queue.waitUntilReady()
        return {
          name: 'BullMQ (queue.add)',
          enqueue: bullmqEnqueue(queue),
          close: async () => {
            await queue.obliterate({ force: true })
            await queue.close()
          },
        }
      },
    ],
    [
      'pg-boss',
      async () => {
        const { default: PgBoss } = await import('pg-boss')
        const { pgBossEnqueue } = await import('../src/queues/pg-boss.js')
        const schema = `wi_bench_${run}`
        const boss = new PgBoss({ connectionString: urls.postgres, schema, max: 2, supervise: false, schedule: false })
        boss.on('error', () => {})
        await boss.start()
        await boss.createQueue('bench')
        return {
          name: 'pg-boss (send)',
          enqueue: pgBossEnqueue(boss, 'bench'),
          close: async () => {
            await boss.getDb().executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, [])
            await boss.stop({ graceful: false, wait: true })
          },
        }
      },
    ],
    [
      'RabbitMQ',
      async () => {
        const { default: amqp } = await import('amqplib')
        const { amqpEnqueue } = await import('../src/queues/amqp.js')
        const connection = await amqp.connect(urls.amqp)
        const channel = await connection.createConfirmChannel()
        const queue = `wi-bench-${run}`
        await channel.assertQueue(queue, { durable: true })
        return {
          name: 'RabbitMQ (confirmed publish)',
          enqueue: amqpEnqueue(channel, { exchange: '', routingKey: queue }),
          close: async () => {
            await channel.deleteQueue(queue)
            await connection.close()
          },
        }
      },
    ],
    [
      'NATS',
      async () => {
        const { connect } = await import('@nats-io/transport-node')
        const { jetstream, jetstreamManager } = await import('@nats-io/jetstream')
        const { jetStreamEnqueue } = await import('../src/queues/nats.js')
        const nc = await connect({ servers: urls.nats.replace(/^nats:\/\//, '') })
        const jsm = await jetstreamManager(nc)
        const stream = `WI_BENCH_${run}`
        await jsm.streams.add({ name: stream, subjects: [`wi.bench.${run}`] })
        return {
          name: 'JetStream (publish + ack)',
          enqueue: jetStreamEnqueue(jetstream(nc), `wi.bench.${run}`),
          close: async () => {
            await jsm.streams.delete(stream)
            await nc.close()
          },
        }
      },
    ],
  ]
  for (const [name, open] of attempts) {
    try {
      list.push(await within(open))
    } catch (error) {
      console.log(`skipping ${name}: ${(error as Error).message}`)
    }
  }
  return list
}

/**
 * Measures handler.handle() per delivery for each engine, sequentially, with `measure` (warm-up
 * and limits are the caller's), and prints the table with the added latency against the no-op.
 */
export async function benchQueues(
  urls: { redis: string; postgres: string; amqp: string; nats: string },
  measure: (once: (i: number) => Promise<void>, prepare?: (i: number) => Promise<unknown>) => Promise<number[]>,
  summarise: (what: string, samples: number[]) => QueueRow,
): Promise<QueueRow[]> {
  const list = await engines(urls)
  const rows: QueueRow[] = []
  try {
    for (const engine of list) {
      const handler = createWebhookHandler({
        provider: stripe({ secret: SECRET }),
        store: memoryStore({ maxEntries: 100_000 }),
        onWarning: () => {},
        enqueue: engine.enqueue,
      })
      let request: WebhookRequest | undefined
      const samples = await measure(
        async () => {
          const response = await handler.handle(request as WebhookRequest)
          if (response.status !== 200) throw new Error(`${engine.name}: handle answered ${response.status}`)
        },
        async (i) => {
          request = await signStripeRequest({
            secret: SECRET,
            body: {
              id: `evt_qbench_${run}_${i}`,
              object: 'event',
              type: 'invoice.paid',
              data: { object: { id: 'in_1' } },
            },
          })
        },
      )
      rows.push(summarise(engine.name, samples))
    }
  } finally {
    await Promise.allSettled(list.map((engine) => engine.close()))
  }
  const base = rows[0]
  const ms = (x: number) => `${x.toFixed(3)} ms`
  console.log('\nqueue helpers: handler.handle() per delivery (memory store), added latency against a no-op enqueue')
  const head = ['enqueue', 'n', 'p50', 'p99', 'added p50', 'added p99']
  const body = rows.map((r) => [
    r.what,
    String(r.n),
    ms(r.p50),
    ms(r.p99),
    base ? ms(r.p50 - base.p50) : '',
    base ? ms(r.p99 - base.p99) : '',
  ])
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((line) => (line[c] ?? '').length)))
  for (const line of [head, ...body]) console.log(line.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '))
  return rows
}
