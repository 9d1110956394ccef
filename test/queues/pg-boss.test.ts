import pg from 'pg'
import PgBoss from 'pg-boss'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgBossEnqueue, pgBossJobId } from '../../src/queues/pg-boss.js'
import { testEnqueue } from '../../src/testing/index.js'
import { databaseUrl, requireService, tcpProbe } from '../helpers/services.js'
import { delivery, errorMessage, expectedEvent, runId, stripeHandler } from './support.js'

const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))

describe.skipIf(!hasPostgres)('webhook-inbox/pg-boss against real PostgreSQL', () => {
  const schema = `wi_boss_${runId()}`
  let boss: PgBoss
  let pool: pg.Pool
  const jobs = async (id: string) =>
    (await pool.query(`SELECT id, data FROM ${schema}.job WHERE name = 'webhooks' AND id = $1`, [id])).rows
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 })
    boss = new PgBoss({ connectionString: databaseUrl(), schema, max: 2, supervise: false, schedule: false })
    boss.on('error', () => {})
    await boss.start()
    await boss.createQueue('webhooks')
  }, 30_000)
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true }).catch(() => {})
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await pool?.end()
  })

  it('pgBossJobId is a version-8 UUID, stable per key', async () => {
    const id = await pgBossJobId('stripe:evt_1')
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(await pgBossJobId('stripe:evt_1')).toBe(id)
    expect(await pgBossJobId('stripe:evt_2')).not.toBe(id)
  })

  it('passes testEnqueue: stored on resolve, the same key once, an aborted signal refused, a missing queue rejects', async () => {
    const report = await testEnqueue({
      enqueue: pgBossEnqueue(boss, 'webhooks'),
      isStored: async (key) => (await jobs(await pgBossJobId(key))).length === 1,
      count: async (key) => (await jobs(await pgBossJobId(key))).length,
      failing: pgBossEnqueue(boss, 'no_such_queue'),
    })
    expect(report.checks).toHaveLength(4)
  })

  it('through the handler: the event unchanged as data, a second process adds nothing, trace headers ride along', async () => {
    const enqueue = pgBossEnqueue(boss, 'webhooks')
    const first = stripeHandler(enqueue)
    expect((await first.handler.handle(await delivery('evt_boss_1'))).status).toBe(200)
    const second = stripeHandler((event, context) => enqueue(event, { ...context, headers: { traceparent: 'tp' } }))
    expect((await second.handler.handle(await delivery('evt_boss_1'))).status).toBe(200)
    const rows = await jobs(await pgBossJobId('stripe:evt_boss_1'))
    expect(rows).toHaveLength(1)
    expect(rows[0].data).toMatchObject(expectedEvent('evt_boss_1'))
    expect(rows[0].data.messageHeaders).toBeUndefined()

    expect((await second.handler.handle(await delivery('evt_boss_2'))).status).toBe(200)
    const traced = await jobs(await pgBossJobId('stripe:evt_boss_2'))
    expect(traced[0].data.messageHeaders).toEqual({ traceparent: 'tp' })
  })

  it('a missing queue is a 500 that names createQueue', async () => {
    const { handler, errors } = stripeHandler(pgBossEnqueue(boss, 'missing'))
    expect((await handler.handle(await delivery('evt_boss_missing'))).status).toBe(500)
    expect(errorMessage(errors[0]?.error)).toContain('createQueue')
  })

  it('sendOptions.db sends inside the caller’s transaction: rolled back, no job', async () => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) }
      const enqueue = pgBossEnqueue(boss, 'webhooks', { sendOptions: { db } })
      const { handler } = stripeHandler(enqueue)
      expect((await handler.handle(await delivery('evt_boss_tx'))).status).toBe(200)
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
    expect(await jobs(await pgBossJobId('stripe:evt_boss_tx'))).toEqual([])
  })
})
