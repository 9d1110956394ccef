import type { Database } from 'better-sqlite3'
import { configInvariant, WebhookStoreError } from '../errors.js'
import { newToken, positiveInteger, storageKeys, tableName } from './key-internal.js'
import type { ClaimResult, DedupeStore } from './types.js'

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** An open better-sqlite3 `Database` (file-backed, so ids survive a restart). It stays yours: `close()` never closes it. */
  database: Database
  /**
   * Table of the store: letters, digits and underscores only. Created, with its expiry index,
   * if missing.
   * @default 'webhook_inbox_dedupe'
   */
  table?: string
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

/** Options of {@link SqliteStore.prune}. */
export interface SqlitePruneOptions {
  /** Rows deleted per statement, so one prune never holds the write lock for long. @default 1000 */
  batchSize?: number
}

/** A {@link DedupeStore} on SQLite, with a `prune()` for expired rows. */
export interface SqliteStore extends DedupeStore {
  /** Deletes expired rows in batches of `batchSize` until none is left; resolves with how many it deleted. */
  prune(options?: SqlitePruneOptions): Promise<number>
}

/**
 * A durable dedupe store for one machine, on better-sqlite3 (12 or later). Several processes on
 * that machine may share the file: the database is switched to WAL mode, and every claim runs in
 * an `IMMEDIATE` transaction over all keys of the delivery, which takes SQLite's write lock first,
 * so exactly one claim wins and it takes every key or none.
 * Ids survive a restart. For several machines, use `webhook-inbox/redis` or
 * `webhook-inbox/postgres`.
 *
 * @example
 * import Database from 'better-sqlite3'
 * import { sqliteStore } from 'webhook-inbox/sqlite'
 * const store = sqliteStore({ database: new Database('./webhooks.db') })
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const database = options?.database
  configInvariant(
    typeof database?.prepare === 'function' && typeof database.transaction === 'function',
    "sqliteStore: `database` is required: an open better-sqlite3 Database, e.g. `new Database('./webhooks.db')`.",
  )
  const { table } = tableName('sqliteStore', options.table ?? 'webhook_inbox_dedupe', false)
  const now = options.now ?? Date.now
  const name = `"${table}"`

  // In WAL mode readers never wait for the writer, so processes sharing the file only queue
  // for the short write transactions (https://www.sqlite.org/wal.html). A memory database
  // cannot use WAL.
  if (!database.memory) database.pragma('journal_mode = WAL')
  database.exec(
    `CREATE TABLE IF NOT EXISTS ${name} (key TEXT PRIMARY KEY, token TEXT, expires_at INTEGER NOT NULL) WITHOUT ROWID;
     CREATE INDEX IF NOT EXISTS "${table}_expires_at_idx" ON ${name} (expires_at);`,
  )
  const take = database.prepare<[string, string, number, number]>(
    `INSERT INTO ${name} (key, token, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
     WHERE ${name}.expires_at <= ?`,
  )
  const read = database.prepare<[string, number], { token: string | null }>(
    `SELECT token FROM ${name} WHERE key = ? AND expires_at > ?`,
  )
  const holds = database.prepare<[string, string, number], { held: number }>(
    `SELECT 1 AS held FROM ${name} WHERE key = ? AND token = ? AND expires_at > ?`,
  )
  const finish = database.prepare<[number, string, string, number]>(
    `UPDATE ${name} SET token = NULL, expires_at = ? WHERE key = ? AND token = ? AND expires_at > ?`,
  )
  const free = database.prepare<[string, string, number]>(
    `DELETE FROM ${name} WHERE key = ? AND token = ? AND expires_at > ?`,
  )
  const prune = database.prepare<[number, number]>(
    `DELETE FROM ${name} WHERE key IN (SELECT key FROM ${name} WHERE expires_at <= ? LIMIT ?)`,
  )
  // Each runs inside one transaction, so a claim takes all keys or none, and complete and
  // release change every key or none.
  const claim = database.transaction((keys: readonly string[], token: string, leaseMs: number): ClaimResult => {
    const time = now()
    let busy = false
    for (const key of keys) {
      const row = read.get(key, time)
      if (row === undefined) continue
      if (row.token === null) return { state: 'duplicate' }
      busy = true
    }
    if (busy) return { state: 'in-flight' }
    for (const key of keys) take.run(key, token, time + leaseMs, time)
    return { state: 'claimed', token }
  })
  const settle = database.transaction(
    (keys: readonly string[], token: string, work: (key: string, time: number) => unknown): boolean => {
      const time = now()
      if (!keys.every((key) => holds.get(key, token, time) !== undefined)) return false
      for (const key of keys) work(key, time)
      return true
    },
  )

  function guarded<R>(operation: string, work: () => R): R {
    try {
      return work()
    } catch (error) {
      // SQLITE_BUSY after the busy timeout, a closed database, a full disk.
      throw new WebhookStoreError('store_unavailable', `sqliteStore: ${operation} failed.`, { cause: error })
    }
  }

  return {
    multiKey: true,
    async claim(keys, { leaseMs }) {
      const stored = await storageKeys('sqliteStore', keys)
      return guarded('claim', () => claim.immediate(stored, newToken(), leaseMs))
    },
    async complete(keys, token, { retentionMs }) {
      const stored = await storageKeys('sqliteStore', keys)
      return guarded('complete', () =>
        settle.immediate(stored, token, (key, time) => finish.run(time + retentionMs, key, token, time)),
      )
    },
    async release(keys, token) {
      const stored = await storageKeys('sqliteStore', keys)
      return guarded('release', () => settle.immediate(stored, token, (key, time) => free.run(key, token, time)))
    },
    async prune({ batchSize = 1000 }: SqlitePruneOptions = {}) {
      configInvariant(positiveInteger(batchSize), 'sqliteStore.prune: `batchSize` must be a positive integer.')
      let total = 0
      for (;;) {
        const deleted = guarded('prune', () => prune.run(now(), batchSize).changes)
        total += deleted
        if (deleted < batchSize) return total
      }
    },
    async close() {
      // The database belongs to the caller; there is nothing of ours to free.
    },
  }
}

export { type SqliteInboxOptions, sqliteInbox } from './sqlite-inbox.js'
