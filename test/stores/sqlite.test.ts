import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { isWebhookError } from '../../src/errors.js'
import { sqliteStore } from '../../src/stores/sqlite.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'

const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function file(): string {
  return join(dir, `store-${files++}.db`)
}

describe('sqliteStore', () => {
  describe('with a fake clock', () => {
    let time = Date.UTC(2026, 0, 1)
    const open = new Map<object, Database.Database>()
    testDedupeStore({
      name: 'sqliteStore (better-sqlite3, file, fake clock)',
      create: () => {
        const database = new Database(file())
        const store = sqliteStore({ database, now: () => time })
        open.set(store, database)
        return store
      },
      cleanup: (store) => open.get(store)?.close(),
      advance: (ms) => {
        time += ms
      },
      describe,
      it,
      expect,
    })
  })

  describe('with the real clock', () => {
    const open = new Map<object, Database.Database>()
    testDedupeStore({
      name: 'sqliteStore (better-sqlite3, file, real clock)',
      create: () => {
        const database = new Database(file())
        const store = sqliteStore({ database })
        open.set(store, database)
        return store
      },
      cleanup: (store) => open.get(store)?.close(),
      shortMs: 100,
      bulkKeys: 1000,
      describe,
      it,
      expect,
    })
  })

  it('switches a file database to WAL mode', () => {
    const database = new Database(file())
    try {
      sqliteStore({ database })
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      database.close()
    }
  })

  it('remembers processed and in-flight ids across a restart', async () => {
    const path = file()
    const before = new Database(path)
    const first = sqliteStore({ database: before })
    const done = await first.claim(['stripe:evt_done'], { leaseMs: 60_000 })
    if (done.state !== 'claimed') throw new Error('expected a claim')
    expect(await first.complete(['stripe:evt_done'], done.token, { retentionMs: 3_600_000 })).toBe(true)
    const held = await first.claim(['stripe:evt_held'], { leaseMs: 60_000 })
    await first.close?.()
    before.close()

    const after = new Database(path)
    try {
      const second = sqliteStore({ database: after })
      expect((await second.claim(['stripe:evt_done'], { leaseMs: 60_000 })).state).toBe('duplicate')
      expect((await second.claim(['stripe:evt_held'], { leaseMs: 60_000 })).state).toBe('in-flight')
      if (held.state !== 'claimed') throw new Error('expected a claim')
      // The token from before the restart still holds its lease.
      expect(await second.release(['stripe:evt_held'], held.token)).toBe(true)
      expect((await second.claim(['stripe:evt_new'], { leaseMs: 60_000 })).state).toBe('claimed')
    } finally {
      after.close()
    }
  })

  it('gives one winner when two connections to one file claim the same ids', async () => {
    const path = file()
    const a = new Database(path)
    const b = new Database(path)
    try {
      const storeA = sqliteStore({ database: a })
      const storeB = sqliteStore({ database: b })
      const ids = Array.from({ length: 200 }, (_, i) => `github:${i}`)
      const results = await Promise.all(
        ids.flatMap((id) => [storeA.claim([id], { leaseMs: 60_000 }), storeB.claim([id], { leaseMs: 60_000 })]),
      )
      expect(results.filter((r) => r.state === 'claimed')).toHaveLength(200)
      expect(results.filter((r) => r.state === 'in-flight')).toHaveLength(200)
    } finally {
      a.close()
      b.close()
    }
  })

  it('prune() deletes only expired rows, in batches, and returns the count', async () => {
    let time = 1_000_000
    const database = new Database(file())
    try {
      const store = sqliteStore({ database, table: 'dedupe', now: () => time })
      for (let i = 0; i < 7; i++) await store.claim([`hmac:short-${i}`], { leaseMs: 1_000 })
      for (let i = 0; i < 2; i++) await store.claim([`hmac:long-${i}`], { leaseMs: 60_000 })
      time += 5_000
      expect(await store.prune({ batchSize: 2 })).toBe(7)
      const keys = database.prepare('SELECT key FROM dedupe ORDER BY key').pluck().all()
      expect(keys).toEqual(['hmac:long-0', 'hmac:long-1'])
      await expect(store.prune({ batchSize: -1 })).rejects.toThrow(/batchSize/)
    } finally {
      database.close()
    }
  })

  it('close() leaves the caller’s database open', async () => {
    const database = new Database(file())
    try {
      const store = sqliteStore({ database })
      await store.close?.()
      await store.close?.()
      expect(database.open).toBe(true)
    } finally {
      database.close()
    }
  })

  it('refuses a missing database and a bad table name at setup', () => {
    expect(() => sqliteStore({} as never)).toThrow(/`database` is required: an open better-sqlite3 Database/)
    const database = new Database(':memory:')
    try {
      expect(() => sqliteStore({ database, table: 'x; DROP TABLE y' })).toThrow(/`table` must be a table name/)
      expect(() => sqliteStore({ database, table: 'main.dedupe' })).toThrow(/`table` must be a table name/)
    } finally {
      database.close()
    }
  })

  it('turns a closed database into store_unavailable', async () => {
    const database = new Database(':memory:')
    const store = sqliteStore({ database })
    database.close()
    const error = await store.claim(['stripe:evt_private'], { leaseMs: 1000 }).catch((e: unknown) => e)
    expect(isWebhookError(error)).toBe(true)
    expect((error as { code: string }).code).toBe('store_unavailable')
    expect((error as Error).message).not.toContain('evt_private')
  })
})
