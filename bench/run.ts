// `npm run bench`: what a dedupe store adds to each delivery.
//
//   1. claim + complete, one id after the other, per store and client: p50 / p99 / mean, with one
//      dedupe key and with two (the `sig:` key of presets whose id is not signed), alternating.
//   2. handler.handle() end to end (verify a Stripe signature, claim, enqueue, complete, answer)
//      with the memory, Redis and PostgreSQL stores, and the store's share of it (p50 minus memory's).
//   3. the queue helpers (BullMQ, pg-boss, RabbitMQ, JetStream) as `enqueue`: what each adds to a
//      delivery against a no-op enqueue (bench/queues.ts; AMQP_URL / NATS_URL as in the tests).
//   4. what webhook-inbox/otel adds to one delivery (memory store): without it, with it and no
//      OpenTelemetry SDK registered (the API's no-op providers), and with the SDK recording every
//      span and metric (spans batched to an exporter that drops them).
//
// A store whose service does not answer is skipped with a message. Every measurement stops after
// `BENCH_ITERATIONS` rounds or `BENCH_SEGMENT_MS`, whichever comes first, and the store rows stop
// after `BENCH_BUDGET_MS`; the crypto back-end comparison (bench/crypto.ts) runs last, only while
// the run is young enough to stay under a minute.
// REDIS_URL / DATABASE_URL as in the tests. Each run uses its own Redis prefix / PostgreSQL table
// and removes them at the end.
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { metrics, trace } from '@opentelemetry/api'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { createInboxWorker, createWebhookHandler, type Inbox, type WebhookHandlerOptions } from '../src/index.js'
import { withOpenTelemetry } from '../src/otel/index.js'
import { stripe } from '../src/providers/index.js'
import { memoryStore } from '../src/stores/memory.js'
import type { DedupeStore } from '../src/stores/types.js'
import { signStripeRequest } from '../src/testing/index.js'
import type { WebhookRequest } from '../src/types.js'
import { benchCrypto } from './crypto.js'
import { benchQueues } from './queues.js'

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2_000)
const WARMUP = Math.min(200, Math.ceil(ITERATIONS / 10))
const SEGMENT_MS = Number(process.env.BENCH_SEGMENT_MS ?? 3_000)
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 30_000)
// bench/crypto.ts takes about 5 s on an idle 2-core machine, and up to 25 s on a busy one.
const CRYPTO_START_BEFORE_MS = 28_000
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672'
const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222'
const SECRET = 'whsec_bench_only'
const run = randomBytes(4).toString('hex')
const startedAt = performance.now()

interface Row {
  what: string
  n: number
  p50: number
  p99: number
  mean: number
}

function summarise(what: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length
  return { what, n: sorted.length, p50: at(0.5), p99: at(0.99), mean }
}

function outOfBudget(): boolean {
  return performance.now() - startedAt > BUDGET_MS
}

/** Times `once(i)` sequentially: warm-up rounds first, then until ITERATIONS or SEGMENT_MS. */
async function measure(once: (i: number) => Promise<void>, prepare?: (i: number) => Promise<unknown>) {
  const samples: number[] = []
  for (let i = 0; i < WARMUP; i++) {
    await prepare?.(-1 - i)
    await once(-1 - i)
  }
  const stop = performance.now() + SEGMENT_MS
  for (let i = 0; i < ITERATIONS && performance.now() < stop; i++) {
    await prepare?.(i)
    const t0 = performance.now()
    await once(i)
    samples.push(performance.now() - t0)
  }
  return samples
}

function reachable(url: string, defaultPort: number, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

interface Subject {
  name: string
  store: DedupeStore
  close: () => Promise<unknown>
}

async function subjects(): Promise<Subject[]> {
  const list: Subject[] = [{ name: 'memory', store: memoryStore({ maxEntries: 100_000 }), close: async () => {} }]

  const sqliteFile = join(tmpdir(), `webhook-inbox-bench-${run}.db`)
  try {
    const { default: Database } = await import('better-sqlite3')
    const { sqliteStore } = await import('../src/stores/sqlite.js')
    const database = new Database(sqliteFile)
    list.push({
      name: 'sqlite (better-sqlite3, WAL file)',
      store: sqliteStore({ database }),
      close: async () => {
        database.close()
        for (const suffix of ['', '-wal', '-shm']) rmSync(sqliteFile + suffix, { force: true })
      },
    })
  } catch (error) {
    console.log(`skipping sqlite: ${(error as Error).message}`)
  }

  if (await reachable(REDIS_URL, 6379)) {
    await setUp('Redis', REDIS_URL, list, redisSubjects)
  } else {
    console.log(`skipping Redis: nothing answers at ${REDIS_URL} (set REDIS_URL)`)
  }
  if (await reachable(DATABASE_URL, 5432)) {
    await setUp('PostgreSQL', DATABASE_URL, list, postgresSubjects)
  } else {
    console.log(`skipping PostgreSQL: nothing answers at ${DATABASE_URL} (set DATABASE_URL)`)
  }
  return list
}

/** A service that accepts TCP but never finishes connecting (auth, TLS) is skipped too. */
async function setUp(name: string, url: string, list: Subject[], make: () => Promise<Subject[]>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const made = await Promise.race([
      make(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000)
      }),
    ])
    list.push(...made)
  } catch (error) {
    console.log(`skipping ${name} at ${url}: ${(error as Error).message}`)
  } finally {
    clearTimeout(timer)
  }
}

async function redisSubjects(): Promise<Subject[]> {
  const { redisStore } = await import('../src/stores/redis.js')
  const prefix = `webhook-inbox-bench:${run}:`
  const { createClient } = await import('redis')
  const nodeRedis = createClient({ url: REDIS_URL })
  nodeRedis.on('error', () => {})
  await nodeRedis.connect()
  const { Redis } = await import('ioredis')
  const ioredis = new Redis(REDIS_URL)
  ioredis.on('error', () => {})
  return [
    {
      name: 'redis (node-redis)',
      store: redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix }),
      close: async () => {
        let cursor = '0'
        do {
          const [next, keys] = (await nodeRedis.sendCommand([
            'SCAN',
            cursor,
            'MATCH',
            `${prefix}*`,
            'COUNT',
            '1000',
          ])) as [string, string[]]
          cursor = next
          if (keys.length > 0) await nodeRedis.sendCommand(['DEL', ...keys])
        } while (cursor !== '0')
        nodeRedis.destroy()
      },
    },
    {
      name: 'redis (ioredis)',
      store: redisStore({ sendCommand: (command, ...args) => ioredis.call(command, ...args), prefix: `${prefix}io:` }),
      close: async () => ioredis.disconnect(),
    },
  ]
}

async function postgresSubjects(): Promise<Subject[]> {
  const { postgresStore, postgresSchema } = await import('../src/stores/postgres.js')
  const { default: pg } = await import('pg')
  const { default: postgres } = await import('postgres')
  const table = `webhook_inbox_bench_${run}`
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, connectionTimeoutMillis: 4_000 })
  pool.on('error', () => {})
  await pool.query(postgresSchema({ table }))
  const sql = postgres(DATABASE_URL, { max: 4, connect_timeout: 4, onnotice: () => {} })
  return [
    {
      name: 'postgres (pg Pool)',
      store: postgresStore({ query: (text, params) => pool.query(text, params), table, createTable: false }),
      close: async () => {
        await pool.query(`DROP TABLE IF EXISTS ${table}`)
        await pool.end()
      },
    },
    {
      name: 'postgres (postgres.js)',
      store: postgresStore({
        query: (text, params) => sql.unsafe(text, params as never[]).then((rows) => ({ rows })),
        table,
        createTable: false,
      }),
      close: () => sql.end({ timeout: 1 }),
    },
  ]
}

// One key is `provider:id`; two add the `provider:sig:<sha256>` key presets with unsigned ids
// claim. The two are measured in alternate rounds of one segment, so load on the machine falls on
// both alike and the difference is the second key's cost.
async function claimComplete(subject: Subject): Promise<Row[]> {
  const samples: Record<1 | 2, number[]> = { 1: [], 2: [] }
  const once = async (i: number, keyCount: 1 | 2) => {
    const id = `bench:${run}:${subject.name}:${keyCount}:${i}`
    const keys = keyCount === 1 ? [id] : [id, `${id}:sig:${'0'.repeat(64)}`]
    const claim = await subject.store.claim(keys, { leaseMs: 30_000 })
    if (claim.state !== 'claimed') throw new Error(`${subject.name}: ${id} was ${claim.state}`)
    if (!(await subject.store.complete(keys, claim.token, { retentionMs: 60_000 }))) {
      throw new Error(`${subject.name}: complete refused a fresh claim`)
    }
  }
  for (let i = 0; i < WARMUP; i++) await once(-1 - i, i % 2 === 0 ? 1 : 2)
  const stop = performance.now() + 2 * SEGMENT_MS
  for (let i = 0; i < 2 * ITERATIONS && performance.now() < stop; i++) {
    const keyCount = i % 2 === 0 ? 1 : 2
    const t0 = performance.now()
    await once(i, keyCount)
    samples[keyCount].push(performance.now() - t0)
  }
  return [summarise(`${subject.name}, 1 key`, samples[1]), summarise(`${subject.name}, 2 keys`, samples[2])]
}

async function endToEnd(
  subject: Subject,
  label = subject.name,
  wrap: (options: WebhookHandlerOptions) => WebhookHandlerOptions = (options) => options,
): Promise<Row> {
  let enqueued = 0
  const handler = createWebhookHandler(
    wrap({
      provider: stripe({ secret: SECRET }),
      store: subject.store,
      onWarning: () => {},
      enqueue: () => {
        enqueued++
      },
    }),
  )
  // Signing is the provider's work: done before the clock starts.
  let request: WebhookRequest | undefined
  const samples = await measure(
    async () => {
      const response = await handler.handle(request as WebhookRequest)
      if (response.status !== 200) throw new Error(`${subject.name}: handle answered ${response.status}`)
    },
    async (i) => {
      request = await signStripeRequest({
        secret: SECRET,
        body: {
          id: `evt_bench_${run}_${label}_${i}`,
          object: 'event',
          type: 'invoice.paid',
          data: { object: { id: 'in_1' } },
        },
      })
    },
  )
  if (enqueued !== samples.length + WARMUP) throw new Error(`${label}: enqueued ${enqueued} events`)
  return summarise(label, samples)
}

/** An SDK that records every span and metric point and exports them nowhere. */
function recordingSdk() {
  const spans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }
  const points: PushMetricExporter = {
    export: (_batch, done) => done({ code: 0 }),
    forceFlush: async () => {},
    shutdown: async () => {},
  }
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] })
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: points, exportIntervalMillis: 1_000 })],
  })
  return {
    register() {
      trace.setGlobalTracerProvider(tracerProvider)
      metrics.setGlobalMeterProvider(meterProvider)
    },
    async shutdown() {
      trace.disable()
      metrics.disable()
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
    },
  }
}

async function instrumentationOverhead(memory: Subject): Promise<Row[]> {
  const rows = [await endToEnd(memory, 'without withOpenTelemetry')]
  rows.push(await endToEnd(memory, 'withOpenTelemetry, no SDK (no-op API)', (options) => withOpenTelemetry(options)))
  const sdk = recordingSdk()
  sdk.register()
  try {
    rows.push(await endToEnd(memory, 'withOpenTelemetry, SDK recording', (options) => withOpenTelemetry(options)))
  } finally {
    await sdk.shutdown()
  }
  return rows
}

/** A signed delivery of a fresh id, made before the clock starts. */
function signedDelivery(label: string, i: number): Promise<WebhookRequest> {
  return signStripeRequest({
    secret: SECRET,
    body: {
      id: `evt_bench_${run}_${label}_${i}`,
      object: 'event',
      type: 'invoice.paid',
      data: { object: { id: 'in_1' } },
    },
  })
}

/** Receive-to-200 with an inbox: verify, one atomic accept (the row committed), answer. */
async function receiveTo200(name: string, inbox: Inbox): Promise<Row> {
  const handler = createWebhookHandler({ provider: stripe({ secret: SECRET }), inbox })
  let request: WebhookRequest | undefined
  const samples = await measure(
    async () => {
      const response = await handler.handle(request as WebhookRequest)
      if (response.status !== 200) throw new Error(`${name}: handle answered ${response.status}`)
    },
    async (i) => {
      request = await signedDelivery(name.replace(/\W/g, ''), i)
    },
  )
  return summarise(name, samples)
}

/**
 * Receive-to-processed: the receiver's inbox (pg Pool) and the worker's (postgres.js, with
 * `listen`) are separate objects, so the only wake-up is PostgreSQL's NOTIFY; polling is set to
 * 60 s so that it never helps. `parallel` deliveries are sent at once, each timed from its
 * handle() call to the start of its `process`.
 */
async function receiveToProcessed(parallel: number): Promise<Row | undefined> {
  if (!(await reachable(DATABASE_URL, 5432))) return undefined
  const { postgresInbox } = await import('../src/stores/postgres.js')
  const { default: pg } = await import('pg')
  const { default: postgres } = await import('postgres')
  const table = `webhook_inbox_bench_inbox_${run}_${parallel}`
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 })
  pool.on('error', () => {})
  const sql = postgres(DATABASE_URL, { max: 8, onnotice: () => {} })
  const receiving = postgresInbox({ query: (text, params) => pool.query(text, params), table })
  const working = postgresInbox({
    query: (text, params) => sql.unsafe(text, params as never[]).then((rows) => ({ rows })),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    table,
  })
  const handler = createWebhookHandler({ provider: stripe({ secret: SECRET }), inbox: receiving })
  const sentAt = new Map<string, number>()
  const waiting = new Map<string, () => void>()
  const samples: number[] = []
  const worker = createInboxWorker({
    inbox: working,
    concurrency: 16,
    pollIntervalMs: 60_000,
    process: (event) => {
      const started = sentAt.get(event.id)
      if (started !== undefined) samples.push(performance.now() - started)
      waiting.get(event.id)?.()
    },
  })
  try {
    await working.stats() // creates the tables before the worker listens
    worker.start()
    await new Promise((resolve) => setTimeout(resolve, 300)) // LISTEN registered
    const stop = performance.now() + SEGMENT_MS
    let i = 0
    while (performance.now() < stop && samples.length < ITERATIONS) {
      const requests = await Promise.all(Array.from({ length: parallel }, () => signedDelivery(`p${parallel}`, i++)))
      await Promise.all(
        requests.map(async (request) => {
          const id = JSON.parse(request.body as string).id as string
          const processed = new Promise<void>((resolve) => waiting.set(id, resolve))
          sentAt.set(id, performance.now())
          const response = await handler.handle(request)
          if (response.status !== 200) throw new Error(`receive-to-processed: handle answered ${response.status}`)
          await processed
        }),
      )
    }
    return summarise(`postgres, ${parallel} at once`, samples)
  } finally {
    await worker.stop()
    await working.close?.()
    await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_keys`)
    await pool.end()
    await sql.end({ timeout: 1 })
  }
}

async function benchInbox(): Promise<void> {
  const rows: Row[] = []
  const sqliteFile = join(tmpdir(), `webhook-inbox-bench-inbox-${run}.db`)
  const { default: Database } = await import('better-sqlite3')
  const { sqliteInbox } = await import('../src/stores/sqlite.js')
  const database = new Database(sqliteFile)
  try {
    rows.push(await receiveTo200('sqlite inbox (better-sqlite3, WAL file)', sqliteInbox({ database })))
  } finally {
    database.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(sqliteFile + suffix, { force: true })
  }
  if (await reachable(DATABASE_URL, 5432)) {
    const { postgresInbox } = await import('../src/stores/postgres.js')
    const { default: pg } = await import('pg')
    const table = `webhook_inbox_bench_inbox_${run}`
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 })
    pool.on('error', () => {})
    try {
      rows.push(
        await receiveTo200(
          'postgres inbox (pg Pool)',
          postgresInbox({ query: (text, params) => pool.query(text, params), table }),
        ),
      )
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_keys`)
      await pool.end()
    }
  } else {
    console.log(`skipping the PostgreSQL inbox: nothing answers at ${DATABASE_URL}`)
  }
  table('inbox: receive to 200 (Stripe signature, one atomic accept committed, answer)', rows)
  const processed: Row[] = []
  for (const parallel of [1, 16]) {
    const row = await receiveToProcessed(parallel)
    if (row) processed.push(row)
  }
  if (processed.length > 0)
    table('inbox: receive to processed (another inbox object woken by LISTEN/NOTIFY)', processed)
}

function table(title: string, rows: Row[], baseline?: number, first = 'store', versus = 'memory'): void {
  const ms = (x: number) => `${x.toFixed(3)} ms`
  console.log(`\n${title}`)
  const head = [first, 'n', 'p50', 'p99', 'mean', ...(baseline === undefined ? [] : [`p50 - ${versus}`])]
  const body = rows.map((r) => [
    r.what,
    String(r.n),
    ms(r.p50),
    ms(r.p99),
    ms(r.mean),
    ...(baseline === undefined ? [] : [ms(r.p50 - baseline)]),
  ])
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((line) => (line[c] ?? '').length)))
  for (const line of [head, ...body]) console.log(line.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '))
}

async function main(): Promise<void> {
  console.log(
    `webhook-inbox bench: Node ${process.version}, ${ITERATIONS} rounds (or ${SEGMENT_MS} ms) per row after ${WARMUP} warm-up rounds, one at a time`,
  )
  const list = await subjects()
  try {
    const claims: Row[] = []
    for (const subject of list) {
      if (outOfBudget()) break
      claims.push(...(await claimComplete(subject)))
    }
    table('claim + complete (one delivery’s store round trips), with one key and with two', claims)

    const handled: Row[] = []
    const chosen = ['memory', 'redis (node-redis)', 'postgres (pg Pool)']
    for (const subject of list.filter((s) => chosen.includes(s.name))) {
      if (outOfBudget()) break
      handled.push(await endToEnd(subject))
    }
    table('handler.handle() per delivery (Stripe signature, claim, enqueue, complete)', handled, handled[0]?.p50)

    const memory = list.find((s) => s.name === 'memory')
    if (memory) {
      const traced = await instrumentationOverhead(memory)
      table('webhook-inbox/otel per delivery (memory store)', traced, traced[0]?.p50, 'instrumentation', 'without')
    }
    await benchInbox()
    if (outOfBudget()) console.log(`\nstopped measuring after the ${BUDGET_MS} ms budget; some rows are missing`)
  } finally {
    await Promise.allSettled(list.map((subject) => subject.close()))
  }
  await benchQueues({ redis: REDIS_URL, postgres: DATABASE_URL, amqp: AMQP_URL, nats: NATS_URL }, measure, summarise)
  if (performance.now() - startedAt < CRYPTO_START_BEFORE_MS) {
    console.log('')
    await benchCrypto()
  } else {
    console.log('\nskipping the crypto rows to stay under a minute: run `node --import tsx bench/crypto.ts`')
  }
  console.log(`\ndone in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
}

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  // A client whose setup timed out may still hold a socket open: the bench is over either way.
  .finally(() => process.exit())
