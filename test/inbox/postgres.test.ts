import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InboxQuery } from '../../src/index.js'
import { type PostgresInbox, pgPoolTransaction, postgresInbox } from '../../src/stores/postgres.js'
import { type InboxSuiteEffects, testInbox } from '../../src/testing/index.js'
import { databaseUrl, postgresProbe, requireService } from '../helpers/services.js'

const hasPostgres = await requireService('PostgreSQL', () => postgresProbe())

const suffix = globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 10)
let counter = 0
const tableFor = new WeakMap<PostgresInbox, string>()
function fresh(make: (table: string) => PostgresInbox): PostgresInbox {
  const table = `wi_inbox_${suffix}_${counter++}`
  const inbox = make(table)
  tableFor.set(inbox, table)
  return inbox
}

/** Effects in a table next to each inbox's, written in the worker's transaction. */
function effects(run: InboxQuery): InboxSuiteEffects<PostgresInbox> {
  const effectsTable = (inbox: PostgresInbox) => `${tableFor.get(inbox)}_effects`
  return {
    setup: (inbox) => run(`CREATE TABLE ${effectsTable(inbox)} (event_id text NOT NULL)`),
    write: (query, id, inbox) => query(`INSERT INTO ${effectsTable(inbox)} (event_id) VALUES ($1)`, [id]),
    count: async (inbox, id) => {
      const { rows } = await run(`SELECT count(*)::int AS n FROM ${effectsTable(inbox)} WHERE event_id = $1`, [id])
      return Number((rows[0] as { n: number }).n)
    },
  }
}

async function drop(run: InboxQuery, inbox: PostgresInbox): Promise<void> {
  const table = tableFor.get(inbox)
  for (const name of [table, `${table}_keys`, `${table}_effects`]) await run(`DROP TABLE IF EXISTS ${name}`)
}

describe.skipIf(!hasPostgres)('postgresInbox on a PostgreSQL server', () => {
  let pool: pg.Pool
  let sql: postgres.Sql
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 })
    sql = postgres(databaseUrl(), { max: 10, onnotice: () => {} })
  })
  afterAll(async () => {
    await pool?.end()
    await sql?.end()
  })
  const poolQuery: InboxQuery = (text, params) => pool.query(text, params)

  describe('pg Pool', () => {
    testInbox({
      name: 'postgresInbox (pg Pool, pgPoolTransaction)',
      create: () =>
        fresh((table) => {
          return postgresInbox({ query: poolQuery, transaction: pgPoolTransaction(pool), table })
        }),
      cleanup: (inbox) => drop(poolQuery, inbox),
      effects: effects(poolQuery),
      shortMs: 250,
      describe,
      it,
      expect,
    })
  })

  describe('postgres.js', () => {
    const query: InboxQuery = (text, params = []) =>
      sql.unsafe(text, params, { prepare: true }).then((rows) => ({ rows }))
    testInbox({
      name: 'postgresInbox (postgres.js, sql.begin)',
      create: () =>
        fresh((table) => {
          return postgresInbox({
            query,
            transaction: (work) =>
              sql.begin((tx) =>
                work((text, params) => tx.unsafe(text, params, { prepare: true }).then((rows) => ({ rows }))),
              ) as never,
            listen: (channel, onNotify) => sql.listen(channel, onNotify),
            table,
          })
        }),
      cleanup: (inbox) => drop(query, inbox),
      effects: effects(query),
      shortMs: 250,
      describe,
      it,
      expect,
    })
  })
})

describe('postgresInbox on PGlite (in-process)', () => {
  let db: PGlite
  beforeAll(async () => {
    db = await PGlite.create()
  })
  afterAll(async () => {
    await db?.close()
  })
  const query: InboxQuery = (text, params) => db.query(text, params)
  testInbox({
    name: 'postgresInbox (PGlite, db.transaction)',
    create: () =>
      fresh((table) => {
        return postgresInbox({
          query,
          transaction: (work) => db.transaction((tx) => work((text, params) => tx.query(text, params))),
          table,
        })
      }),
    cleanup: (inbox) => drop(query, inbox),
    effects: effects(query),
    shortMs: 250,
    concurrency: 10,
    describe,
    it,
    expect,
  })
})
