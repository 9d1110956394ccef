// pgBossEnqueue's `sameTransaction`: the claim's completion and the job's insert in one PostgreSQL
// transaction, over real HTTP (node:http + toNodeListener), real PostgreSQL and real pg-boss.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, type ErrorInfo, memoryStore, type WebhookHandler } from '../../src/index.js'
import { withOpenTelemetry } from '../../src/otel/index.js'
import { stripe } from '../../src/providers/index.js'
import { pgBossEnqueue, pgBossJobId } from '../../src/queues/pg-boss.js'
import {
  type PostgresQuery,
  type PostgresTransaction,
  pgPoolTransaction,
  postgresStore,
} from '../../src/stores/postgres.js'
import { databaseUrl, requireService, tcpProbe } from '../helpers/services.js'
import { telemetry } from '../otel/telemetry.js'
import { delivery, runId, SECRET } from './support.js'

const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe.skipIf(!hasPostgres)('pgBossEnqueue sameTransaction: claim completion and job insert in one commit', () => {
  const run = runId()
  const schema = `wi_boss_tx_${run}`
  const table = `wi_dedupe_tx_${run}`
  let boss: PgBoss
  let pool: pg.Pool
  const query: PostgresQuery = (text, params) => pool.query(text, params)
  const servers: Server[] = []

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 12 })
    pool.on('error', () => {})
    boss = new PgBoss({ connectionString: databaseUrl(), schema, max: 2, supervise: false, schedule: false })
    boss.on('error', () => {})
    await boss.start()
    await boss.createQueue('webhooks')
  }, 30_000)
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections()
      server.close()
    }
    await boss?.stop({ graceful: false, wait: true }).catch(() => {})
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await pool?.query(`DROP TABLE IF EXISTS ${table}`)
    await pool?.end()
  })

  /** Jobs pg-boss holds for an event id (the job table and its archive). */
  async function jobsOf(id: string): Promise<unknown[]> {
    const jobId = await pgBossJobId(`stripe:${id}`)
    const live = await pool.query(`SELECT data FROM ${schema}.job WHERE name = 'webhooks' AND id = $1`, [jobId])
    const archived = await pool.query(`SELECT data FROM ${schema}.archive WHERE name = 'webhooks' AND id = $1`, [jobId])
    return [...live.rows, ...archived.rows].map((row) => row.data)
  }
  async function dedupeRow(id: string): Promise<{ token: string | null } | undefined> {
    const rows = await pool.query(`SELECT token FROM ${table} WHERE key = $1 AND expires_at > now()`, [`stripe:${id}`])
    return rows.rows[0]
  }

  /** A handler with a store on `transaction`, and pg-boss sending inside that store's transaction, behind node:http. */
  async function serve(
    transaction: PostgresTransaction,
    settings: { leaseMs?: number; enqueueTimeoutMs?: number } = {},
  ) {
    const store = postgresStore({ query, transaction, table })
    const errors: ErrorInfo[] = []
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store,
      enqueue: pgBossEnqueue(boss, 'webhooks', { sameTransaction: store }),
      storeTimeoutMs: 3_000,
      ...settings,
      onWarning: () => {},
      onError: (info) => errors.push(info),
    })
    const server = createServer(toNodeListener(handler))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`
    async function post(id: string): Promise<{ status: number; body: Record<string, unknown> }> {
      const signed = await delivery(id)
      const response = await fetch(url, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body: signed.body as string,
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    return { handler, errors, post }
  }

  it('one delivery: 200 once the job and the completed claim are committed together; the retry is a duplicate', async () => {
    const { post, errors } = await serve(pgPoolTransaction(pool))
    const first = await post('evt_tx_1')
    expect(first.status).toBe(200)
    expect(first.body.duplicate).not.toBe(true)
    expect(await jobsOf('evt_tx_1')).toHaveLength(1)
    expect(await dedupeRow('evt_tx_1')).toEqual({ token: null })
    const again = await post('evt_tx_1')
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } })
    expect(await jobsOf('evt_tx_1')).toHaveLength(1)
    expect(errors).toEqual([])
  })

  it('a failure after the send, before the commit: 5xx, no job, the claim released; the retry gives exactly one job', async () => {
    let failures = 0
    let sentInTransaction: unknown
    const base = pgPoolTransaction(pool)
    // The window of the separate `complete`: the job is sent, then something fails before the
    // claim's completion is durable. Here both are in one transaction, so both roll back.
    const failingBeforeCommit: PostgresTransaction = (work) =>
      base(async (tx) => {
        const result = await work(tx)
        if (failures++ === 0) {
          const jobId = await pgBossJobId('stripe:evt_tx_window')
          sentInTransaction = (await tx(`SELECT count(*)::int AS n FROM ${schema}.job WHERE id = $1`, [jobId])).rows[0]
          throw new Error('the connection fails between send and commit')
        }
        return result
      })
    const { post, errors } = await serve(failingBeforeCommit)
    const first = await post('evt_tx_window')
    expect(first.status).toBeGreaterThanOrEqual(500)
    expect(sentInTransaction, 'the job was inserted inside the transaction before the failure').toEqual({ n: 1 })
    expect(await jobsOf('evt_tx_window'), 'jobs after the rolled-back attempt').toEqual([])
    expect(await dedupeRow('evt_tx_window'), 'the claim was released').toBeUndefined()
    expect(errors.map((e) => e.phase)).toEqual(['enqueue'])

    const retry = await post('evt_tx_window')
    expect(retry.status).toBe(200)
    expect(retry.body.duplicate).not.toBe(true)
    const third = await post('evt_tx_window')
    expect(third).toMatchObject({ status: 200, body: { duplicate: true } })
    expect(await jobsOf('evt_tx_window'), 'jobs after the retries').toHaveLength(1)
    expect(failures).toBe(2)
  })

  it('enqueueTimeoutMs runs out before the transaction starts: 503, and the late transaction sends nothing; the retry gives one job', async () => {
    const base = pgPoolTransaction(pool)
    let slow = true
    let lateWorkRan: boolean | undefined
    // The transaction starts after the handler gave up (a pool wait, a pause) and released the claim.
    const late: PostgresTransaction = async (work) => {
      if (!slow) return base(work)
      slow = false
      await sleep(700)
      lateWorkRan = false
      return base(async (tx) => {
        lateWorkRan = true
        return work(tx)
      })
    }
    const { post } = await serve(late, { enqueueTimeoutMs: 300 })
    const first = await post('evt_tx_late')
    expect(first.status).toBe(503)
    await sleep(900)
    expect(lateWorkRan, 'the late transaction ran').toBe(true)
    expect(await jobsOf('evt_tx_late'), 'the late transaction found the claim gone and sent nothing').toEqual([])
    expect((await post('evt_tx_late')).status).toBe(200)
    expect(await jobsOf('evt_tx_late')).toHaveLength(1)
  })

  it('enqueueTimeoutMs runs out after the send: rolled back, 503; the retry gives exactly one job', async () => {
    const base = pgPoolTransaction(pool)
    let slow = true
    // pg-boss's insert answers, then the transaction stalls past the handler's enqueue timeout.
    const stalling: PostgresTransaction = (work) =>
      base((tx) =>
        work(async (text, params) => {
          const result = await tx(text, params)
          if (slow && text.includes(`${schema}.job`)) {
            slow = false
            await sleep(800)
          }
          return result
        }),
      )
    const { post } = await serve(stalling, { enqueueTimeoutMs: 300 })
    const first = await post('evt_tx_timeout')
    expect(first.status).toBe(503)
    // The release waits for the stalled transaction's row lock, then frees the id.
    await sleep(900)
    expect(await jobsOf('evt_tx_timeout'), 'the send was rolled back').toEqual([])
    expect((await post('evt_tx_timeout')).status).toBe(200)
    expect(await jobsOf('evt_tx_timeout')).toHaveLength(1)
  })

  it('a duplicate storm over HTTP: 60 events × 5 copies at once, retried on 409, exactly one job each', async () => {
    const { post, errors } = await serve(pgPoolTransaction(pool))
    const ids = range(60).map((i) => `evt_tx_storm_${i}`)
    const statuses: number[] = []
    await Promise.all(
      ids.flatMap((id) =>
        range(5).map(async () => {
          for (let attempt = 0; attempt < 100; attempt++) {
            const answer = await post(id)
            statuses.push(answer.status)
            if (answer.status === 200) return
            await sleep(20 + Math.random() * 40)
          }
          throw new Error(`${id}: no 200 after 100 attempts`)
        }),
      ),
    )
    expect(
      statuses.filter((s) => s !== 200 && s !== 409),
      'answers other than 200 and 409',
    ).toEqual([])
    const counts = await pool.query(
      `SELECT data->>'id' AS id, count(*)::int AS n FROM ${schema}.job WHERE name = 'webhooks' AND data->>'id' LIKE 'evt_tx_storm_%' GROUP BY 1`,
    )
    expect(counts.rows.filter((row) => row.n !== 1)).toEqual([])
    expect(counts.rows.map((row) => row.id).sort()).toEqual([...ids].sort())
    const done = await pool.query(
      `SELECT count(*)::int AS n FROM ${table} WHERE key LIKE 'stripe:evt_tx_storm_%' AND token IS NULL`,
    )
    expect(done.rows[0].n, 'claims completed').toBe(ids.length)
    expect(errors).toEqual([])
  }, 60_000)

  it('withOpenTelemetry around the options keeps the same transaction, and the job carries the trace context', async () => {
    const sdk = telemetry()
    const base = pgPoolTransaction(pool)
    let transactions = 0
    const counting: PostgresTransaction = (work) => {
      transactions++
      return base(work)
    }
    const store = postgresStore({ query, transaction: counting, table })
    const handler = createWebhookHandler(
      withOpenTelemetry(
        {
          provider: stripe({ secret: SECRET }),
          store,
          enqueue: pgBossEnqueue(boss, 'webhooks', { sameTransaction: store }),
          onWarning: () => {},
        },
        { tracer: sdk.tracer, meter: sdk.meter },
      ),
    )
    expect((await handler.handle(await delivery('evt_tx_otel'))).status).toBe(200)
    expect(transactions, 'the claim was completed inside the transaction').toBe(1)
    const jobs = (await jobsOf('evt_tx_otel')) as { messageHeaders?: Record<string, string> }[]
    expect(jobs).toHaveLength(1)
    expect(jobs[0]?.messageHeaders?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    expect(await dedupeRow('evt_tx_otel')).toEqual({ token: null })
    await sdk.shutdown()
  })

  describe('config errors', () => {
    const store = () => postgresStore({ query, transaction: pgPoolTransaction(pool), table })
    const handlerWith = (options: Partial<Parameters<typeof createWebhookHandler>[0]>): WebhookHandler =>
      createWebhookHandler({ provider: stripe({ secret: SECRET }), onWarning: () => {}, ...options })

    it('the handler’s store is another instance, or missing', () => {
      const enqueue = pgBossEnqueue(boss, 'webhooks', { sameTransaction: store() })
      expect(() => handlerWith({ store: store(), enqueue })).toThrow(/another store's transaction/)
      expect(() => handlerWith({ enqueue })).toThrow(/has no `store`/)
    })

    it('sameTransaction is not a PostgreSQL store, has no transaction, or comes with sendOptions.db', () => {
      expect(() => pgBossEnqueue(boss, 'webhooks', { sameTransaction: memoryStore() as never })).toThrow(
        /postgresStore/,
      )
      expect(() => pgBossEnqueue(boss, 'webhooks', { sameTransaction: postgresStore({ query, table }) })).toThrow(
        /created with `transaction`/,
      )
      const db = { executeSql: async () => ({ rows: [] }) }
      expect(() => pgBossEnqueue(boss, 'webhooks', { sameTransaction: store(), sendOptions: { db } })).toThrow(
        /not both/,
      )
    })

    it('the same store instance works, and called directly the enqueue sends on its own', async () => {
      const shared = store()
      const enqueue = pgBossEnqueue(boss, 'webhooks', { sameTransaction: shared })
      expect(handlerWith({ store: shared, enqueue }).store).toBe(shared)
      const context = {
        signal: new AbortController().signal,
        headers: {},
        key: 'stripe:evt_tx_direct',
        retentionMs: 60_000,
      }
      await enqueue(
        {
          provider: 'stripe',
          id: 'evt_tx_direct',
          type: 't',
          payload: {},
          body: '{}',
          headers: {},
          receivedAt: new Date().toISOString(),
        } as never,
        context,
      )
      expect(await jobsOf('evt_tx_direct')).toHaveLength(1)
    })
  })
})
