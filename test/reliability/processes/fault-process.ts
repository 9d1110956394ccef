// One process of the SIGKILL fault runs, run with `node --import tsx` and an IPC channel, under
// the same faults as the in-process runs: a receiver (createWebhookHandler behind node:http, with
// a Redis or PostgreSQL store whose enqueue writes to a PostgreSQL "queue" table keyed by the
// queue idempotency key, or with the PostgreSQL inbox), or an inbox worker. The test kills it
// with SIGKILL mid-run and starts it again on the same port.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { toNodeListener } from '../../../src/adapters/node.js'
import { createInboxWorker, createWebhookHandler, type DedupeStore } from '../../../src/index.js'
import { pgPoolTransaction, postgresInbox, postgresStore } from '../../../src/stores/postgres.js'
import { redisStore } from '../../../src/stores/redis.js'
import { droppingStore } from '../faults.js'
import { prng } from '../fuzz.js'
import { droppingInbox, type ProcessingMode, SIMULATED, type SimulatedProvider } from '../inbox-faults.js'

/** What the test passes in `FAULT_PROCESS` (JSON). */
export interface FaultProcessConfig {
  role: 'receiver' | 'worker'
  backend: 'redis' | 'postgres' | 'inbox'
  provider: SimulatedProvider
  mode?: ProcessingMode
  /** 0: any free port. */
  port: number
  databaseUrl: string
  redisUrl: string
  /** Redis prefix, store table or inbox table; the queue is `<table>_queue`, effects `<table>_effects`. */
  namespace: string
  table: string
  seed: number
  storeDrop: number
  enqueueFailure: number
  processFailure: number
  /**
   * Connect, then wait for `{ type: 'go' }` before listening (receiver) or claiming (worker): a
   * replacement is prepared while the process it replaces still runs, so that the outage after
   * the SIGKILL lasts milliseconds, as under a supervisor that restarts at once.
   */
  standby?: boolean
}

function go(config: FaultProcessConfig): Promise<void> {
  if (!config.standby) return Promise.resolve()
  send({ type: 'prepared' })
  return new Promise((resolve) => {
    process.on('message', (message: { type?: string }) => {
      if (message?.type === 'go') resolve()
    })
  })
}

export type FaultProcessMessage =
  | { type: 'prepared' }
  | { type: 'ready'; port: number }
  | { type: 'fatal'; message: string }

function send(message: FaultProcessMessage): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.FAULT_PROCESS ?? '') as FaultProcessConfig
  const random = prng(config.seed)
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8, connectionTimeoutMillis: 10_000 })
  pool.on('error', () => {})
  const query = (text: string, params?: unknown[]) => pool.query(text, params)
  const drops = `${config.table}_drops`
  // A lost answer is written down (best effort) so that the test can explain a re-run.
  const onDrop = (kind: string, key?: string) => {
    if (key && kind === 'complete') void query(`INSERT INTO ${drops} (key) VALUES ($1)`, [key]).catch(() => {})
  }
  const simulated = SIMULATED[config.provider]
  const provider = simulated.create(simulated.secret)
  process.on('disconnect', () => process.exit(0))

  if (config.role === 'worker') {
    const inbox = droppingInbox(
      postgresInbox({ query, transaction: pgPoolTransaction(pool), table: config.table, createTable: false }),
      config.storeDrop,
      random,
      { onDrop },
    )
    const effects = `${config.table}_effects`
    const exactlyOnce = config.mode === 'exactly-once'
    const worker = createInboxWorker({
      inbox,
      transactional: exactlyOnce,
      concurrency: 4,
      leaseMs: 1500,
      pollIntervalMs: 50,
      retry: { maxAttempts: 200, backoffMs: () => 5 + Math.floor(random() * 20) },
      onError: () => {},
      process: async (event, { query: tx, attempt }) => {
        const fails = random() < config.processFailure
        const write = exactlyOnce ? tx : query
        if (exactlyOnce || !fails) {
          await write?.(`INSERT INTO ${effects} (event_id, attempt, pid) VALUES ($1, $2, $3)`, [
            event.id,
            attempt,
            process.pid,
          ])
        }
        // A few milliseconds inside process, after the effect: where a SIGKILL hurts most.
        await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(random() * 6)))
        if (fails) throw new Error('process failed')
      },
    })
    await go(config)
    worker.start()
    send({ type: 'ready', port: 0 })
    return
  }

  let handler: ReturnType<typeof createWebhookHandler>
  if (config.backend === 'inbox') {
    const inbox = droppingInbox(
      postgresInbox({ query, table: config.table, createTable: false }),
      config.storeDrop,
      random,
      { onDrop },
    )
    handler = createWebhookHandler({ provider, inbox, storeTimeoutMs: 5000, logger: false, onWarning: () => {} })
  } else {
    let store: DedupeStore
    if (config.backend === 'redis') {
      const { createClient } = await import('redis')
      const client = createClient({ url: config.redisUrl })
      client.on('error', () => {})
      await client.connect()
      store = redisStore({ sendCommand: (...args) => client.sendCommand(args), prefix: config.namespace })
    } else {
      store = postgresStore({ query, table: config.namespace })
    }
    const queue = `${config.table}_queue`
    handler = createWebhookHandler({
      provider,
      store: droppingStore(store, config.storeDrop, random, () => {}),
      leaseMs: 2000,
      enqueueTimeoutMs: 1000,
      storeTimeoutMs: 2000,
      logger: false,
      onWarning: () => {},
      enqueue: async (event, context) => {
        if (random() < config.enqueueFailure) throw new Error('queue unavailable')
        // The queue's idempotency id is the key: a second write of one key is absorbed, two keys
        // for one event would be processed twice.
        await query(`INSERT INTO ${queue} (key, event_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
          context.key,
          event.id,
        ])
      },
    })
  }
  const server = createServer(toNodeListener(handler))
  server.keepAliveTimeout = 30_000
  await go(config)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, '127.0.0.1', resolve)
  })
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
}

main().catch((error: unknown) => {
  send({ type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
