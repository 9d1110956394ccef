import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { Inbox } from '../../src/index.js'
import { sqliteInbox } from '../../src/stores/sqlite.js'
import { testInbox } from '../../src/testing/index.js'

const file = join(tmpdir(), `webhook-inbox-inbox-test-${globalThis.crypto.randomUUID().slice(0, 8)}.db`)
const database = new Database(file)
let counter = 0
let offset = 0
const tables = new WeakMap<Inbox, string>()

afterAll(() => {
  database.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
})

describe('sqliteInbox (better-sqlite3, WAL file)', () => {
  testInbox({
    name: 'sqliteInbox',
    create: () => {
      const table = `inbox_${counter++}`
      const inbox = sqliteInbox({ database, table, now: () => Date.now() + offset })
      tables.set(inbox, table)
      return inbox
    },
    cleanup: (inbox) => {
      const table = tables.get(inbox)
      database.exec(
        `DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${table}_keys; DROP TABLE IF EXISTS ${table}_effects`,
      )
    },
    advance: (ms) => {
      offset += ms
    },
    effects: {
      setup: async (inbox) => database.exec(`CREATE TABLE ${tables.get(inbox)}_effects (event_id TEXT NOT NULL)`),
      write: (query, id, inbox) => query(`INSERT INTO ${tables.get(inbox)}_effects (event_id) VALUES (?)`, [id]),
      count: async (inbox, id) =>
        (
          database.prepare(`SELECT count(*) AS n FROM ${tables.get(inbox)}_effects WHERE event_id = ?`).get(id) as {
            n: number
          }
        ).n,
    },
    describe,
    it,
    expect,
  })
})
