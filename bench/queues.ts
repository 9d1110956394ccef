// The shipped queue helpers as `enqueue`, each opened on its loopback service (bench/pipeline.ts
// measures what each adds to a delivery against a no-op enqueue). An engine that does not answer
// is skipped with a line saying so. Each run uses its own BullMQ prefix, pg-boss schema, RabbitMQ
// queue and NATS stream, and `close` removes them.
import { randomBytes } from 'node:crypto'
import type { EnqueueContext, WebhookEvent } from 'webhook-inbox'

type Enqueue = (event: WebhookEvent, context: EnqueueContext) => unknown

export interface QueueEngine {
  name: string
  enqueue: Enqueue
  close: () => Promise<unknown>
}

const run = randomBytes(4).toString('hex')

/** `make()`, or a rejection once `ms` pass without an answer. */
export async function within<V>(make: () => Promise<V>, ms = 5_000): Promise<V> {
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

/** A service URL without its user name and password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
  } catch {
    return '(unparsable URL)'
  }
}

export interface ServiceUrls {
  redis: string
  postgres: string
  amqp: string
  nats: string
}

/** The no-op enqueue first, then every engine that answered; `skipped` says which did not, and why. */
export async function openQueueEngines(urls: ServiceUrls, skipped: string[]): Promise<QueueEngine[]> {
  const list: QueueEngine[] = [{ name: 'no-op enqueue', enqueue: () => {}, close: async () => {} }]
  const attempts: [string, string, () => Promise<QueueEngine>][] = [
    [
      'BullMQ',
      urls.redis,
      async () => {
        const { Queue } = await import('bullmq')
        const { bullmqEnqueue } = await import('webhook-inbox/bullmq')
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
      urls.postgres,
      async () => {
        const { default: PgBoss } = await import('pg-boss')
        const { pgBossEnqueue } = await import('webhook-inbox/pg-boss')
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
      urls.amqp,
      async () => {
        const { default: amqp } = await import('amqplib')
        const { amqpEnqueue } = await import('webhook-inbox/amqp')
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
      urls.nats,
      async () => {
        const { connect } = await import('@nats-io/transport-node')
        const { jetstream, jetstreamManager } = await import('@nats-io/jetstream')
        const { jetStreamEnqueue } = await import('webhook-inbox/nats')
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
  for (const [name, url, open] of attempts) {
    try {
      list.push(await within(open))
    } catch (error) {
      skipped.push(`skipped the ${name} hand-off: ${(error as Error).message} (${redactedUrl(url)})`)
    }
  }
  return list
}
