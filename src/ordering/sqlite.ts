import type { Database } from 'better-sqlite3'
import { configInvariant, WebhookStoreError } from '../errors.js'
import { storageKey, tableName } from '../stores/key-internal.js'
import { advanceResult, type OrderingStore } from './store.js'

/** Options of {@link sqliteOrderingStore}. */
export interface SqliteOrderingStoreOptions {
  /** An open better-sqlite3 `Database`; it stays yours. */
  database: Database
  /** Table: letters, digits and underscores. Created if missing. @default 'webhook_inbox_ordering' */
  table?: string
}

/**
 * An ordering store on SQLite (better-sqlite3): the highest version per resource, advanced by
 * one `INSERT ... ON CONFLICT DO UPDATE SET version = max(...) RETURNING` statement, atomic
 * across the processes sharing the file (SQLite serialises writers).
 *
 * @example
 * import Database from 'better-sqlite3'
 * import { createOrderingGuard, sqliteOrderingStore } from 'webhook-inbox/ordering'
 * const guard = createOrderingGuard({ store: sqliteOrderingStore({ database: new Database('./webhooks.db') }) })
 */
export function sqliteOrderingStore(options: SqliteOrderingStoreOptions): OrderingStore {
  const database = options?.database
  configInvariant(
    typeof database?.prepare === 'function',
    "sqliteOrderingStore: `database` is required: an open better-sqlite3 Database, e.g. `new Database('./webhooks.db')`.",
  )
  const { table } = tableName('sqliteOrderingStore', options.table ?? 'webhook_inbox_ordering', false)
  if (!database.memory) database.pragma('journal_mode = WAL')
  database.exec(
    `CREATE TABLE IF NOT EXISTS "${table}" (resource TEXT PRIMARY KEY, version REAL NOT NULL) WITHOUT ROWID`,
  )
  const advance = database.prepare<[string, number], { version: number }>(
    `INSERT INTO "${table}" (resource, version) VALUES (?, ?)
     ON CONFLICT (resource) DO UPDATE SET version = max(version, excluded.version)
     RETURNING version`,
  )
  return {
    async advance(resource, version) {
      let row: { version: number } | undefined
      try {
        row = advance.get(await storageKey(resource), version)
      } catch (error) {
        throw new WebhookStoreError('store_unavailable', 'sqliteOrderingStore: advance failed.', { cause: error })
      }
      return advanceResult(row?.version, version, 'sqliteOrderingStore')
    },
    async close() {
      // The database belongs to the caller.
    },
  }
}
