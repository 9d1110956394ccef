import type { Database } from 'better-sqlite3'
import { configInvariant, WebhookStoreError } from '../errors.js'
import { storageKey, tableName } from '../stores/key-internal.js'
import {
  advanceResult,
  type OrderingRetentionOptions,
  type OrderingStore,
  pruneOptions,
  retentionOptions,
} from './store.js'

/** Options of {@link sqliteOrderingStore}. */
export interface SqliteOrderingStoreOptions extends OrderingRetentionOptions {
  /** An open better-sqlite3 `Database`; it stays yours. */
  database: Database
  /** Table: letters, digits and underscores. Created if missing. @default 'webhook_inbox_ordering' */
  table?: string
}

/** An ordering store on SQLite; `prune` deletes the records past their retention. */
export interface SqliteOrderingStore extends OrderingStore {
  prune: NonNullable<OrderingStore['prune']>
}

/**
 * An ordering store on SQLite (better-sqlite3): the highest version per resource, advanced by
 * one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` statement, atomic across the processes
 * sharing the file (SQLite serialises writers). A record older than `retentionMs` is treated as
 * absent by that statement; `prune()` deletes such records.
 *
 * @example
 * import Database from 'better-sqlite3'
 * import { createOrderingGuard, sqliteOrderingStore } from 'webhook-inbox/ordering'
 * const store = sqliteOrderingStore({ database: new Database('./webhooks.db') })
 * const guard = createOrderingGuard({ store })
 * setInterval(() => void store.prune().catch(console.error), 24 * 3_600_000).unref()
 */
export function sqliteOrderingStore(options: SqliteOrderingStoreOptions): SqliteOrderingStore {
  const database = options?.database
  configInvariant(
    typeof database?.prepare === 'function',
    "sqliteOrderingStore: `database` is required: an open better-sqlite3 Database, e.g. `new Database('./webhooks.db')`.",
  )
  const { table } = tableName('sqliteOrderingStore', options.table ?? 'webhook_inbox_ordering', false)
  const { retentionMs, now } = retentionOptions(options, 'sqliteOrderingStore')
  if (!database.memory) database.pragma('journal_mode = WAL')
  // updated_at: epoch milliseconds of the last event that recorded the version.
  database.exec(
    `CREATE TABLE IF NOT EXISTS "${table}" (resource TEXT PRIMARY KEY, version REAL NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID`,
  )
  database.exec(`CREATE INDEX IF NOT EXISTS "${table}_updated_at" ON "${table}" (updated_at)`)
  // @cutoff: a record last advanced at or before it has expired. A live higher version stays.
  const kept = 'version > excluded.version AND updated_at > @cutoff'
  const advance = database.prepare<
    [{ resource: string; version: number; now: number; cutoff: number }],
    { version: number }
  >(
    `INSERT INTO "${table}" (resource, version, updated_at) VALUES (@resource, @version, @now)
     ON CONFLICT (resource) DO UPDATE SET
       version = CASE WHEN ${kept} THEN version ELSE excluded.version END,
       updated_at = CASE WHEN ${kept} THEN updated_at ELSE excluded.updated_at END
     RETURNING version`,
  )
  const prune = database.prepare<[number, number]>(
    `DELETE FROM "${table}" WHERE resource IN (SELECT resource FROM "${table}" WHERE updated_at <= ? LIMIT ?)`,
  )
  return {
    async advance(resource, version) {
      let row: { version: number } | undefined
      try {
        const time = now()
        row = advance.get({ resource: await storageKey(resource), version, now: time, cutoff: time - retentionMs })
      } catch (error) {
        throw new WebhookStoreError('store_unavailable', 'sqliteOrderingStore: advance failed.', { cause: error })
      }
      return advanceResult(row?.version, version, 'sqliteOrderingStore')
    },
    async prune(pruning) {
      const { olderThanMs, batchSize } = pruneOptions(pruning, retentionMs, 'sqliteOrderingStore')
      const cutoff = now() - olderThanMs
      let total = 0
      try {
        for (;;) {
          const { changes } = prune.run(cutoff, batchSize)
          total += changes
          if (changes < batchSize) return total
        }
      } catch (error) {
        throw new WebhookStoreError('store_unavailable', 'sqliteOrderingStore: prune failed.', { cause: error })
      }
    },
    async close() {
      // The database belongs to the caller.
    },
  }
}
