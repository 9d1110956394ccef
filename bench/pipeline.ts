// What the rest of the pipeline adds to a delivery, as p50 / p99 latency of handler.handle()
// (a Stripe signature over a 2 KB-class event), one delivery after the other and with 16 in
// flight:
//   - stores: memory, SQLite, Redis (node-redis, ioredis), PostgreSQL (pg, postgres.js), no-op enqueue;
//   - inboxes (receive to 200: verify, one atomic accept committed, answer): memory, SQLite, PostgreSQL;
//   - queue hand-offs (memory store): no-op, BullMQ, pg-boss, RabbitMQ, NATS JetStream (bench/queues.ts);
//   - claim + complete alone per store, with one dedupe key and with two, beside each engine's floor (the two writes by hand);
//   - webhook-inbox/otel: without, with the no-op API, with an SDK recording everything;
//   - inbox receive-to-processed over PostgreSQL LISTEN/NOTIFY.
// Subjects of a group are measured in rounds, in rotating order, so load falls on all alike; each
// group's first subject is its baseline and the others report what they add to it. Requests are
// signed before the clock starts. A service that does not answer is skipped with a line saying so.
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { metrics, trace } from '@opentelemetry/api'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import {
  createInboxWorker,
  createWebhookHandler,
  type DedupeStore,
  type Inbox,
  memoryInbox,
  memoryStore,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRequest,
} from 'webhook-inbox'
import { withOpenTelemetry } from 'webhook-inbox/otel'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest } from 'webhook-inbox/testing'
import { combineDisturbances, SERVICE_PROCESSES, watchOtherProcesses } from './disturbance.js'
import { openQueueEngines, redactedUrl, type ServiceUrls, within } from './queues.js'
import { type Disturbance, type LatencyRow, type PipelineSection, POSTGRES_FLOOR, REDIS_FLOOR } from './results.js'

export interface PipelineOptions {
  quick: boolean
  urls: ServiceUrls
  log?: (line: string) => void
}

interface Settings {
  rounds: number
  /** Longest timed segment per subject, concurrency and round. */
  segmentMs: number
  /** Most deliveries per segment (also how many are signed beforehand). */
  deliveries: number
  warmup: number
}

const SECRET = 'whsec_bench_pipeline'
const run = randomBytes(4).toString('hex')
const CONCURRENCIES = [1, 16] as const

function settings(quick: boolean): Settings {
  return quick
    ? { rounds: 1, segmentMs: 300, deliveries: 300, warmup: 30 }
    : { rounds: 3, segmentMs: 1_000, deliveries: 2_000, warmup: 100 }
}

interface Subject {
  name: string
  handle: (request: WebhookRequest) => Promise<{ status: number }>
  /** The subject ignores the request (claim + complete alone): none is signed for it. */
  unsigned?: boolean
  /** Around each of this subject's segments (untimed). */
  before?: () => void
  after?: () => void
}

interface Group {
  group: string
  subjects: Subject[]
  concurrencies: readonly number[]
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
const round3 = (x: number) => Math.round(x * 1000) / 1000

function signedDeliveries(label: string, count: number): Promise<WebhookRequest[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      signStripeRequest({
        secret: SECRET,
        body: {
          id: `evt_bench_${run}_${label}_${i}`,
          object: 'event',
          type: 'invoice.paid',
          data: { object: { id: 'in_1', lines: Array.from({ length: 12 }, (_, n) => ({ id: `li_${n}`, amount: n })) } },
        },
      }),
    ),
  )
}

/** `concurrency` workers take the signed deliveries in turn; each call is timed on its own. */
async function segment(subject: Subject, concurrency: number, label: string, s: Settings): Promise<number[]> {
  const count = s.warmup + s.deliveries
  const requests = subject.unsigned
    ? Array.from({ length: count }, (): WebhookRequest => ({ method: 'POST', url: '', headers: {}, body: '' }))
    : await signedDeliveries(label, count)
  const check = (status: number) => {
    if (status !== 200) throw new Error(`${subject.name}: handle answered ${status}`)
  }
  for (const request of requests.slice(0, s.warmup)) check((await subject.handle(request)).status)
  const samples: number[] = []
  let next = s.warmup
  const stop = performance.now() + s.segmentMs
  const worker = async () => {
    while (next < requests.length && performance.now() < stop) {
      const request = requests[next++] as WebhookRequest
      const t0 = performance.now()
      check((await subject.handle(request)).status)
      samples.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return samples
}

/** Every subject at every concurrency, `rounds` times in rotating order; rows with added latency. */
async function measureGroup(group: Group, s: Settings, log: (line: string) => void): Promise<LatencyRow[]> {
  const samples = new Map<string, number[]>()
  const load = new Map<string, Disturbance[]>()
  const key = (subject: Subject, c: number) => `${subject.name}\u0000${c}`
  for (let r = 0; r < s.rounds; r++) {
    const order = group.subjects.map((_, i) => group.subjects[(i + r) % group.subjects.length] as Subject)
    for (const subject of order) {
      for (const c of group.concurrencies) {
        subject.before?.()
        const stop = watchOtherProcesses(SERVICE_PROCESSES)
        let got: number[]
        try {
          got = await segment(subject, c, `${group.group}_${subject.name}_${c}_${r}`.replace(/\W/g, ''), s)
        } finally {
          subject.after?.()
        }
        const k = key(subject, c)
        samples.set(k, [...(samples.get(k) ?? []), ...got])
        load.set(k, [...(load.get(k) ?? []), stop()])
      }
    }
  }
  const rows: LatencyRow[] = []
  for (const c of group.concurrencies) {
    let base: LatencyRow | undefined
    for (const subject of group.subjects) {
      const sorted = (samples.get(key(subject, c)) ?? []).sort((a, b) => a - b)
      const row: LatencyRow = {
        group: group.group,
        subject: subject.name,
        concurrency: c,
        n: sorted.length,
        p50Ms: round3(quantile(sorted, 0.5)),
        p99Ms: round3(quantile(sorted, 0.99)),
        disturbance: combineDisturbances(load.get(key(subject, c)) ?? []),
      }
      if (base) {
        row.addedP50Ms = round3(row.p50Ms - base.p50Ms)
        row.addedP99Ms = round3(row.p99Ms - base.p99Ms)
      } else base = row
      rows.push(row)
    }
  }
  log(`pipeline ${group.group}: ${group.subjects.map((x) => x.name).join(', ')}`)
  return rows
}

export function reachable(url: string, defaultPort: number, timeoutMs = 1_000): Promise<boolean> {
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

interface Resources {
  stores: { name: string; store: DedupeStore }[]
  inboxes: { name: string; inbox: Inbox }[]
  closers: (() => Promise<unknown>)[]
  /**
   * What the engine itself takes for a claim and a completion done by hand: two round trips, each
   * writing one key (Redis `SET NX PX`, then `SET XX PX`; PostgreSQL two one-row autocommit
   * statements, each a commit flushed to the WAL). A store cannot add less than this per delivery.
   */
  floors: Subject[]
}

async function openResources(urls: ServiceUrls, skipped: string[]): Promise<Resources> {
  const out: Resources = {
    stores: [{ name: 'memory', store: memoryStore({ maxEntries: 1_000_000 }) }],
    inboxes: [{ name: 'memory inbox', inbox: memoryInbox() }],
    closers: [],
    floors: [],
  }
  const sqliteFile = join(tmpdir(), `webhook-inbox-bench-${run}.db`)
  const inboxFile = join(tmpdir(), `webhook-inbox-bench-inbox-${run}.db`)
  try {
    const { default: Database } = await import('better-sqlite3')
    const { sqliteInbox, sqliteStore } = await import('webhook-inbox/sqlite')
    const database = new Database(sqliteFile)
    const inboxDatabase = new Database(inboxFile)
    out.stores.push({ name: 'sqlite (better-sqlite3, WAL file)', store: sqliteStore({ database }) })
    out.inboxes.push({ name: 'sqlite inbox (WAL file)', inbox: sqliteInbox({ database: inboxDatabase }) })
    out.closers.push(async () => {
      database.close()
      inboxDatabase.close()
      for (const file of [sqliteFile, inboxFile]) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
      }
    })
  } catch (error) {
    skipped.push(`skipped SQLite: ${(error as Error).message}`)
  }

  if (await reachable(urls.redis, 6379)) {
    try {
      await within(async () => {
        const { redisStore } = await import('webhook-inbox/redis')
        const prefix = `webhook-inbox-bench:${run}:`
        const { createClient } = await import('redis')
        const nodeRedis = createClient({ url: urls.redis })
        nodeRedis.on('error', () => {})
        await nodeRedis.connect()
        const { Redis } = await import('ioredis')
        const ioredis = new Redis(urls.redis)
        ioredis.on('error', () => {})
        out.stores.push(
          {
            name: 'redis (node-redis)',
            store: redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix }),
          },
          {
            name: 'redis (ioredis)',
            store: redisStore({
              sendCommand: (command, ...args) => ioredis.call(command, ...args),
              prefix: `${prefix}io:`,
            }),
          },
        )
        let floorCount = 0
        out.floors.push({
          name: `${REDIS_FLOOR} (node-redis)`,
          unsigned: true,
          handle: async () => {
            const key = `${prefix}floor:${floorCount++}`
            await nodeRedis.sendCommand(['SET', key, 'claimed', 'NX', 'PX', '30000'])
            await nodeRedis.sendCommand(['SET', key, 'done', 'XX', 'PX', '60000'])
            return { status: 200 }
          },
        })
        out.closers.push(async () => {
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
          ioredis.disconnect()
        })
      })
    } catch (error) {
      skipped.push(`skipped Redis at ${redactedUrl(urls.redis)}: ${(error as Error).message}`)
    }
  } else skipped.push(`skipped Redis: nothing answers at ${redactedUrl(urls.redis)} (set REDIS_URL)`)

  if (await reachable(urls.postgres, 5432)) {
    try {
      await within(async () => {
        const { postgresInbox, postgresSchema, postgresStore } = await import('webhook-inbox/postgres')
        const { default: pg } = await import('pg')
        const { default: postgres } = await import('postgres')
        const table = `webhook_inbox_bench_${run}`
        const inboxTable = `webhook_inbox_bench_inbox_${run}`
        const pool = new pg.Pool({ connectionString: urls.postgres, max: 16, connectionTimeoutMillis: 4_000 })
        pool.on('error', () => {})
        await pool.query(postgresSchema({ table }))
        const sql = postgres(urls.postgres, { max: 16, connect_timeout: 4, onnotice: () => {} })
        const query = (text: string, params?: readonly unknown[]) => pool.query(text, params as unknown[])
        out.stores.push(
          { name: 'postgres (pg Pool)', store: postgresStore({ query, table, createTable: false }) },
          {
            name: 'postgres (postgres.js)',
            store: postgresStore({
              query: (text, params) =>
                sql.unsafe(text, params as never[], { prepare: true }).then((rows) => ({ rows })),
              table,
              createTable: false,
            }),
          },
        )
        out.inboxes.push({ name: 'postgres inbox (pg Pool)', inbox: postgresInbox({ query, table: inboxTable }) })
        let floorCount = 0
        out.floors.push({
          name: `${POSTGRES_FLOOR} (pg Pool)`,
          unsigned: true,
          handle: async () => {
            const key = `floor:${run}:${floorCount++}`
            await pool.query(
              `INSERT INTO ${table} (key, token, expires_at) VALUES ($1, 'floor', now() + interval '30 seconds')`,
              [key],
            )
            await pool.query(
              `UPDATE ${table} SET token = NULL, expires_at = now() + interval '60 seconds' WHERE key = $1`,
              [key],
            )
            return { status: 200 }
          },
        })
        out.closers.push(async () => {
          await pool.query(`DROP TABLE IF EXISTS ${table}, ${inboxTable}, ${inboxTable}_keys`)
          await pool.end()
          await sql.end({ timeout: 1 })
        })
      })
    } catch (error) {
      skipped.push(`skipped PostgreSQL at ${redactedUrl(urls.postgres)}: ${(error as Error).message}`)
    }
  } else skipped.push(`skipped PostgreSQL: nothing answers at ${redactedUrl(urls.postgres)} (set DATABASE_URL)`)
  return out
}

function handlerSubject(name: string, options: WebhookHandlerOptions): Subject {
  const handler: WebhookHandler = createWebhookHandler({ logger: false, onWarning: () => {}, ...options })
  return { name, handle: (request) => handler.handle(request) }
}

const stripeProvider = () => stripe({ secret: SECRET })

/** claim + complete alone, with one dedupe key and with two (the `sig:` key of presets whose id is not signed). */
function claimSubjects(stores: Resources['stores']): Subject[] {
  return stores.flatMap(({ name, store }) =>
    ([1, 2] as const).map((keyCount) => {
      let i = 0
      return {
        name: `${name}, ${keyCount} key${keyCount === 2 ? 's' : ''}`,
        unsigned: true,
        handle: async () => {
          const id = `bench:${run}:${name}:${keyCount}:${i++}`
          const keys = keyCount === 1 ? [id] : [id, `${id}:sig:${'0'.repeat(64)}`]
          const claim = await store.claim(keys, { leaseMs: 30_000 })
          if (claim.state !== 'claimed') return { status: 409 }
          return { status: (await store.complete(keys, claim.token, { retentionMs: 60_000 })) ? 200 : 500 }
        },
      }
    }),
  )
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
  return { tracerProvider, meterProvider }
}

/**
 * Instrumentation overhead. The recording SDK is registered only around its own subject's
 * segments, and that subject's handler is made once the SDK is registered (a meter taken from the
 * no-op API stays a no-op).
 */
function otelSubjects(closers: Resources['closers']): Subject[] {
  const options = () => ({
    provider: stripeProvider(),
    store: memoryStore({ maxEntries: 1_000_000 }),
    enqueue: () => {},
  })
  const sdk = recordingSdk()
  closers.push(() => Promise.all([sdk.tracerProvider.shutdown(), sdk.meterProvider.shutdown()]))
  let recorded: Subject | undefined
  return [
    handlerSubject('without withOpenTelemetry', options()),
    handlerSubject('withOpenTelemetry, no SDK (no-op API)', withOpenTelemetry(options())),
    {
      name: 'withOpenTelemetry, SDK recording',
      before: () => {
        trace.setGlobalTracerProvider(sdk.tracerProvider)
        metrics.setGlobalMeterProvider(sdk.meterProvider)
        recorded ??= handlerSubject('recording', withOpenTelemetry(options()))
      },
      after: () => {
        trace.disable()
        metrics.disable()
      },
      handle: (request) => (recorded as Subject).handle(request),
    },
  ]
}

/**
 * Receive-to-processed: the receiver's inbox (pg Pool) and the worker's (postgres.js, with
 * `listen`) are separate objects, so the only wake-up is PostgreSQL's NOTIFY; polling is set to
 * 60 s so that it never helps. `parallel` deliveries are sent at once, each timed from its
 * handle() call to the start of its `process`.
 */
async function receiveToProcessed(urls: ServiceUrls, parallel: number, s: Settings): Promise<LatencyRow> {
  const { postgresInbox } = await import('webhook-inbox/postgres')
  const { default: pg } = await import('pg')
  const { default: postgres } = await import('postgres')
  const table = `webhook_inbox_bench_processed_${run}_${parallel}`
  const pool = new pg.Pool({ connectionString: urls.postgres, max: 8 })
  pool.on('error', () => {})
  const sql = postgres(urls.postgres, { max: 8, onnotice: () => {} })
  const receiving = postgresInbox({ query: (text, params) => pool.query(text, params as unknown[]), table })
  const working = postgresInbox({
    query: (text, params) => sql.unsafe(text, params as never[], { prepare: true }).then((rows) => ({ rows })),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    table,
  })
  const handler = createWebhookHandler({ provider: stripeProvider(), inbox: receiving, logger: false })
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
  const stop = watchOtherProcesses(SERVICE_PROCESSES)
  try {
    await working.stats() // creates the tables before the worker listens
    worker.start()
    await new Promise((resolve) => setTimeout(resolve, 300)) // LISTEN registered
    const requests = await signedDeliveries(`processed${parallel}`, Math.min(s.deliveries, 1_000))
    const end = performance.now() + s.segmentMs * s.rounds
    for (let i = 0; i < requests.length && performance.now() < end; i += parallel) {
      await Promise.all(
        requests.slice(i, i + parallel).map(async (request) => {
          const id = (JSON.parse(request.body as string) as { id: string }).id
          const processed = new Promise<void>((resolve) => waiting.set(id, resolve))
          sentAt.set(id, performance.now())
          const response = await handler.handle(request)
          if (response.status !== 200) throw new Error(`receive-to-processed: handle answered ${response.status}`)
          await processed
        }),
      )
    }
    const sorted = samples.sort((a, b) => a - b)
    return {
      group: 'processed',
      subject: `postgres inbox, ${parallel} at once`,
      concurrency: parallel,
      n: sorted.length,
      p50Ms: round3(quantile(sorted, 0.5)),
      p99Ms: round3(quantile(sorted, 0.99)),
      disturbance: stop(),
    }
  } finally {
    await worker.stop()
    await working.close?.()
    await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_keys`)
    await pool.end()
    await sql.end({ timeout: 1 })
  }
}

export async function benchPipeline(options: PipelineOptions): Promise<PipelineSection> {
  const log = options.log ?? console.log
  const s = settings(options.quick)
  const skipped: string[] = []
  const rows: LatencyRow[] = []
  const resources = await openResources(options.urls, skipped)
  const engines = await openQueueEngines(options.urls, skipped)
  for (const line of skipped) log(line)
  try {
    const groups: Group[] = [
      {
        group: 'store',
        concurrencies: CONCURRENCIES,
        subjects: resources.stores.map(({ name, store }) =>
          handlerSubject(name, { provider: stripeProvider(), store, enqueue: () => {} }),
        ),
      },
      {
        group: 'inbox',
        concurrencies: CONCURRENCIES,
        subjects: resources.inboxes.map(({ name, inbox }) =>
          handlerSubject(name, { provider: stripeProvider(), inbox }),
        ),
      },
      {
        group: 'queue',
        concurrencies: CONCURRENCIES,
        subjects: engines.map((engine) =>
          handlerSubject(engine.name, {
            provider: stripeProvider(),
            store: memoryStore({ maxEntries: 1_000_000 }),
            enqueue: engine.enqueue,
          }),
        ),
      },
      { group: 'claim', concurrencies: [1], subjects: [...claimSubjects(resources.stores), ...resources.floors] },
      { group: 'otel', concurrencies: [1], subjects: otelSubjects(resources.closers) },
    ]
    for (const group of groups) rows.push(...(await measureGroup(group, s, log)))
    if (resources.stores.some((x) => x.name.startsWith('postgres'))) {
      for (const parallel of [1, 16]) rows.push(await receiveToProcessed(options.urls, parallel, s))
      log('pipeline processed: postgres inbox, 1 and 16 at once')
    }
  } finally {
    await Promise.allSettled([...resources.closers, ...engines.map((engine) => engine.close)].map((close) => close()))
  }
  return { rows, skipped, services: Object.values(options.urls).map(redactedUrl) }
}
