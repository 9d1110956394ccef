import pg from 'pg'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isWebhookError } from '../../src/errors.js'
import { type PostgresQuery, pgPoolTransaction, postgresSchema, postgresStore } from '../../src/stores/postgres.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'
import { databaseUrl, postgresProbe, requireService } from '../helpers/services.js'

const hasPostgres = await requireService('PostgreSQL', () => postgresProbe())

// Every table this file creates carries this suffix and is dropped at the end.
const suffix = globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)
const tables: string[] = []
function table(label: string): string {
  const name = `wi_test_${label}_${suffix}`
  tables.push(name)
  return name
}

describe.skipIf(!hasPostgres)('postgresStore', () => {
  let pool: pg.Pool
  let client: pg.Client
  let sql: postgres.Sql
  const schema = `wi_test_schema_${suffix}`

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 })
    client = new pg.Client({ connectionString: databaseUrl() })
    await client.connect()
    sql = postgres(databaseUrl(), { max: 10, onnotice: () => {} })
  })

  afterAll(async () => {
    if (!pool) return
    for (const name of tables) await pool.query(`DROP TABLE IF EXISTS ${name}`)
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
    await pool.end()
    await sql.end()
  })

  const poolQuery: PostgresQuery = (text, params) => pool.query(text, params)

  describe('with a pg Pool', () => {
    const name = table('pool')
    testDedupeStore({
      name: 'postgresStore (pg Pool)',
      create: () => postgresStore({ query: (text, params) => pool.query(text, params), table: name }),
      shortMs: 250,
      describe,
      it,
      expect,
    })
  })

  describe('with a pg Client', () => {
    const name = table('client')
    testDedupeStore({
      name: 'postgresStore (pg Client)',
      create: () => postgresStore({ query: (text, params) => client.query(text, params), table: name }),
      shortMs: 250,
      // One connection runs the queries one by one; the Pool run above covers 10,000 keys.
      bulkKeys: 2_000,
      describe,
      it,
      expect,
    })
  })

  describe('with postgres.js', () => {
    const name = table('postgresjs')
    testDedupeStore({
      name: 'postgresStore (postgres.js)',
      create: () =>
        postgresStore({
          query: (text, params) => sql.unsafe(text, params, { prepare: true }).then((rows) => ({ rows })),
          table: name,
        }),
      shortMs: 250,
      describe,
      it,
      expect,
    })
  })

  it('creates the documented schema: key primary key, token, expires_at with its index', async () => {
    const name = table('schema')
    const store = postgresStore({ query: poolQuery, table: name })
    await store.claim(['github:1'], { leaseMs: 60_000 })
    const columns = await pool.query(
      'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [name],
    )
    expect(columns.rows).toEqual([
      { column_name: 'key', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'token', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'expires_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
    ])
    const indexes = await pool.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexdef', [name])
    expect(indexes.rows.map((row) => row.indexdef)).toEqual([
      expect.stringMatching(new RegExp(`^CREATE INDEX ${name}_expires_at_idx ON .* USING btree \\(expires_at\\)$`)),
      expect.stringMatching(/^CREATE UNIQUE INDEX .* USING btree \(key\)$/),
    ])
  })

  it('times leases and retention with the database clock', async () => {
    const name = table('clock')
    const store = postgresStore({ query: poolQuery, table: name })
    const claim = await store.claim(['stripe:evt_1'], { leaseMs: 90_000 })
    if (claim.state !== 'claimed') throw new Error('expected a claim')
    const lease = await pool.query(
      `SELECT token, extract(epoch FROM expires_at - now()) * 1000 AS ms FROM ${name} WHERE key = 'stripe:evt_1'`,
    )
    expect(lease.rows[0].token).toBe(claim.token)
    expect(Number(lease.rows[0].ms)).toBeGreaterThan(85_000)
    expect(Number(lease.rows[0].ms)).toBeLessThanOrEqual(90_000)
    expect(await store.complete(['stripe:evt_1'], claim.token, { retentionMs: 3_600_000 })).toBe(true)
    const done = await pool.query(
      `SELECT token, extract(epoch FROM expires_at - now()) * 1000 AS ms FROM ${name} WHERE key = 'stripe:evt_1'`,
    )
    expect(done.rows[0].token).toBe(null)
    expect(Number(done.rows[0].ms)).toBeGreaterThan(3_500_000)
  })

  it('commits a claim without waiting for its WAL flush, in that statement’s transaction only; a completion waits for its flush', async () => {
    const name = table('flush')
    // One connection, so that an explicit transaction shows what each statement set in it.
    const connection = new pg.Client({ connectionString: databaseUrl() })
    await connection.connect()
    const setting = async () => (await connection.query('SHOW synchronous_commit')).rows[0].synchronous_commit as string
    try {
      const store = postgresStore({ query: (text, params) => connection.query(text, params), table: name })
      const sessionDefault = await setting()
      expect(sessionDefault).not.toBe('off')
      await connection.query('BEGIN')
      const claim = await store.claim(['stripe:evt_flush'], { leaseMs: 60_000 })
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect(await setting()).toBe('off')
      await connection.query('COMMIT')
      // A local setting ends with its transaction: the connection is as it was.
      expect(await setting()).toBe(sessionDefault)
      await connection.query('BEGIN')
      expect(await store.complete(['stripe:evt_flush'], claim.token, { retentionMs: 60_000 })).toBe(true)
      expect(await setting()).toBe(sessionDefault)
      await connection.query('COMMIT')
      expect((await store.claim(['stripe:evt_flush'], { leaseMs: 60_000 })).state).toBe('duplicate')
    } finally {
      await connection.end()
    }
  })

  it('reclaims a row whose expiry the database clock has passed', async () => {
    const name = table('expired')
    const store = postgresStore({ query: poolQuery, table: name })
    await store.claim(['hmac:old'], { leaseMs: 60_000 })
    await store.claim(['hmac:done'], { leaseMs: 60_000 })
    await pool.query(`UPDATE ${name} SET expires_at = now() - interval '1 second'`)
    await pool.query(`UPDATE ${name} SET token = NULL WHERE key = 'hmac:done'`)
    expect((await store.claim(['hmac:old'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim(['hmac:done'], { leaseMs: 60_000 })).state).toBe('claimed')
  })

  it('prune() deletes only expired rows, in batches of batchSize, and returns the count', async () => {
    const name = table('prune')
    const statements: string[] = []
    const store = postgresStore({
      table: name,
      query: (text, params) => {
        statements.push(text)
        return pool.query(text, params)
      },
    })
    for (let i = 0; i < 12; i++) await store.claim([`github:${i}`], { leaseMs: 60_000 })
    await pool.query(`UPDATE ${name} SET expires_at = now() - interval '1 minute' WHERE key <> ALL($1)`, [
      ['github:0', 'github:1'],
    ])
    statements.length = 0
    expect(await store.prune({ batchSize: 3 })).toBe(10)
    expect(statements.filter((text) => text.includes('DELETE'))).toHaveLength(4)
    const left = await pool.query(`SELECT key FROM ${name} ORDER BY key`)
    expect(left.rows.map((row) => row.key)).toEqual(['github:0', 'github:1'])
    expect(await store.prune()).toBe(0)
    await expect(store.prune({ batchSize: 0 })).rejects.toThrow(/batchSize/)
  })

  it('accepts a schema-qualified table', async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    const store = postgresStore({ query: poolQuery, table: `${schema}.dedupe` })
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('claimed')
    const rows = await pool.query(`SELECT key FROM ${schema}.dedupe`)
    expect(rows.rows).toEqual([{ key: 'github:1' }])
  })

  it('with createTable: false, uses the table that postgresSchema() created', async () => {
    const name = table('migrated')
    const store = postgresStore({ query: poolQuery, table: name, createTable: false })
    const missing = await store.claim(['github:1'], { leaseMs: 60_000 }).catch((e: unknown) => e)
    expect((missing as { code?: string }).code).toBe('store_unavailable')
    await pool.query(postgresSchema({ table: name }))
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('claimed')
  })

  it('creates the table once when many processes start at the same moment', async () => {
    const name = table('race')
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const c = new pg.Client({ connectionString: databaseUrl() })
        await c.connect()
        return c
      }),
    )
    try {
      const stores = clients.map((c) => postgresStore({ query: (text, params) => c.query(text, params), table: name }))
      const results = await Promise.all(stores.map((store) => store.claim(['github:race'], { leaseMs: 60_000 })))
      expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1)
      expect(results.filter((r) => r.state === 'in-flight')).toHaveLength(7)
    } finally {
      await Promise.all(clients.map((c) => c.end()))
    }
  })

  it('stores long ids and ids with a NUL under a hash, without collisions', async () => {
    const name = table('hashed')
    const store = postgresStore({ query: poolQuery, table: name })
    const long = `github:${'a'.repeat(3000)}`
    expect((await store.claim([long], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim([`${long}b`], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim([long], { leaseMs: 60_000 })).state).toBe('in-flight')
    expect((await store.claim(['a\0b'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim(['a\0c'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim(['a\uD800'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim(['a\uDBFF'], { leaseMs: 60_000 })).state).toBe('claimed')
    const keys = await pool.query(`SELECT key FROM ${name}`)
    expect(keys.rows.every((row) => /^sha256:[0-9a-f]{64}$/.test(row.key))).toBe(true)
    // An id that looks like a stored hash is hashed again, so it cannot take the long id's place.
    const stored = keys.rows[0].key as string
    expect((await store.claim([stored], { leaseMs: 60_000 })).state).toBe('claimed')
  })

  it('completeWithin: completes and commits the caller’s write together; rolls both back when the write throws; runs nothing for a lapsed token', async () => {
    const name = table('within')
    await pool.query(`CREATE TABLE ${name}_outbox (key text PRIMARY KEY)`)
    tables.push(`${name}_outbox`)
    const store = postgresStore({ query: poolQuery, table: name, transaction: pgPoolTransaction(pool) })
    const write = (key: string) => async (query: PostgresQuery) => {
      await query(`INSERT INTO ${name}_outbox (key) VALUES ($1)`, [key])
    }
    const outbox = async () => (await pool.query(`SELECT key FROM ${name}_outbox ORDER BY key`)).rows.map((r) => r.key)

    const a = await store.claim(['k:a'], { leaseMs: 10_000 })
    if (a.state !== 'claimed') throw new Error('not claimed')
    expect(await store.completeWithin(['k:a'], a.token, { retentionMs: 60_000 }, write('a'))).toBe(true)
    expect(await outbox()).toEqual(['a'])
    expect((await store.claim(['k:a'], { leaseMs: 10_000 })).state).toBe('duplicate')

    const b = await store.claim(['k:b'], { leaseMs: 10_000 })
    if (b.state !== 'claimed') throw new Error('not claimed')
    const failure = new Error('the write fails after its insert')
    const thrown = await store
      .completeWithin(['k:b'], b.token, { retentionMs: 60_000 }, async (query) => {
        await write('b')(query)
        throw failure
      })
      .catch((e: unknown) => e)
    expect(thrown, 'the write’s own error, unchanged').toBe(failure)
    expect(await outbox()).toEqual(['a'])
    // The completion was rolled back too: the claim is still held, so the holder can release it.
    expect(await store.release(['k:b'], b.token)).toBe(true)

    const c = await store.claim(['k:c'], { leaseMs: 10_000 })
    if (c.state !== 'claimed') throw new Error('not claimed')
    let ran = false
    const lapsed = await store.completeWithin(['k:c'], 'another-token', { retentionMs: 60_000 }, async () => {
      ran = true
    })
    expect({ lapsed, ran }).toEqual({ lapsed: false, ran: false })
    const aborted = new AbortController()
    aborted.abort()
    const abort = await store
      .completeWithin(['k:c'], c.token, { retentionMs: 60_000, signal: aborted.signal }, write('c'))
      .catch((e: unknown) => e)
    expect(isWebhookError(abort) && abort.code).toBe('enqueue_timeout')
    expect(await outbox(), 'an aborted delivery commits nothing').toEqual(['a'])
    expect(await store.release(['k:c'], c.token)).toBe(true)

    const plain = postgresStore({ query: poolQuery, table: name })
    await expect(plain.completeWithin(['k:d'], 't', { retentionMs: 1 }, async () => {})).rejects.toThrow(
      /pass `transaction`/,
    )
  })

  it('close() leaves the caller’s pool usable', async () => {
    const store = postgresStore({ query: poolQuery, table: table('close') })
    await store.close?.()
    await store.close?.()
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })
})

describe('postgresStore setup and failures (no server needed)', () => {
  const query: PostgresQuery = async () => ({ rows: [] })

  it('refuses a missing query function with a message that says what to pass', () => {
    expect(() => postgresStore({} as never)).toThrow(/`query` is required.*pool\.query\(text, params\)/)
  })

  it.each([
    'x; DROP TABLE users',
    'a.b.c',
    '"quoted"',
    'with-dash',
    '',
    '1starts_with_digit',
    'x'.repeat(49),
    'tab\tle',
  ])('refuses the table name %j', (name) => {
    let thrown: unknown
    try {
      postgresStore({ query, table: name })
    } catch (error) {
      thrown = error
    }
    expect(isWebhookError(thrown)).toBe(true)
    expect((thrown as { code: string }).code).toBe('invalid_config')
    expect((thrown as Error).message).toMatch(/`table` must be a table name or `schema.table`/)
  })

  it.each([
    ['undefined', undefined],
    ['{}', {}],
    ['{ rows: undefined }', { rows: undefined }],
    ['{ rows: null }', { rows: null }],
  ])('turns a query that resolves to %s into store_unavailable that says what to return', async (_name, answer) => {
    const store = postgresStore({ query: async () => answer as never, createTable: false })
    for (const attempt of [
      () => store.claim(['stripe:evt_shape'], { leaseMs: 1000 }),
      () => store.complete(['stripe:evt_shape'], 'token', { retentionMs: 1000 }),
      () => store.release(['stripe:evt_shape'], 'token'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isWebhookError(error) && error.code).toBe('store_unavailable')
      expect((error as Error).message).toContain('{ rows }')
    }
  })

  it('turns a failing query into store_unavailable, with nothing of the key in the message, and retries the setup', async () => {
    let up = false
    const seen: string[] = []
    const store = postgresStore({
      query: async (text) => {
        seen.push(text.slice(0, 6))
        if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432')
        return { rows: text.startsWith('DO') ? [] : [{ claimed: 1, duplicate: false }] }
      },
    })
    const error = await store.claim(['stripe:evt_private'], { leaseMs: 1000 }).catch((e: unknown) => e)
    expect(isWebhookError(error)).toBe(true)
    expect((error as { code: string }).code).toBe('store_unavailable')
    expect((error as Error).message).not.toContain('evt_private')
    up = true
    expect((await store.claim(['stripe:evt_private'], { leaseMs: 1000 })).state).toBe('claimed')
    expect((await store.claim(['stripe:evt_private'], { leaseMs: 1000 })).state).toBe('claimed')
    expect(seen).toEqual(['DO $we', 'DO $we', 'WITH l', 'WITH l'])
  })
})
