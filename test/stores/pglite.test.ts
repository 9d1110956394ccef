import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../../src/stores/postgres.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'

describe('postgresStore with PGlite (in-process, no server)', () => {
  let db: PGlite

  beforeAll(async () => {
    db = await PGlite.create()
  })

  afterAll(async () => {
    await db?.close()
  })

  testDedupeStore({
    name: 'postgresStore (PGlite)',
    create: () => postgresStore({ query: (text, params) => db.query(text, params) }),
    shortMs: 250,
    // PGlite runs every statement on this thread (about 1–3 ms each); the same SQL is run with
    // 10,000 keys against the PostgreSQL server in postgres.test.ts.
    bulkKeys: 2_000,
    describe,
    it,
    expect,
  })

  it('prune() deletes the rows the suite left expired', async () => {
    const store = postgresStore({ query: (text, params) => db.query(text, params) })
    await store.claim(['hmac:prune'], { leaseMs: 60_000 })
    await db.query("UPDATE webhook_inbox_dedupe SET expires_at = now() - interval '1 second' WHERE key = 'hmac:prune'")
    const expired = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_inbox_dedupe WHERE expires_at <= now()',
    )
    expect(expired.rows[0]?.n).toBeGreaterThan(0)
    expect(await store.prune({ batchSize: 2 })).toBe(expired.rows[0]?.n)
    const left = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_inbox_dedupe WHERE expires_at <= now()',
    )
    expect(left.rows[0]?.n).toBe(0)
  })
})
