import { configInvariant, WebhookStoreError } from '../errors.js'
import { storageKey, tableName } from '../stores/key-internal.js'
import type { PostgresQuery } from '../stores/postgres.js'
import { advanceResult, type OrderingStore, onceUntilFailure } from './store.js'

/** Options of {@link postgresOrderingStore}. */
export interface PostgresOrderingStoreOptions {
  /** The same one-statement function as `postgresStore`'s, e.g. `(text, params) => pool.query(text, params)`. */
  query: PostgresQuery
  /** Table, optionally `schema.table`: letters, digits and underscores. @default 'webhook_inbox_ordering' */
  table?: string
  /** Create the table if missing, before the first operation. @default true */
  createTable?: boolean
}

/**
 * The SQL that creates the ordering table, for migrations.
 *
 * @example
 * import { postgresOrderingSchema } from 'webhook-inbox/ordering'
 * console.log(postgresOrderingSchema())
 */
export function postgresOrderingSchema(options: { table?: string } = {}): string {
  return `CREATE TABLE IF NOT EXISTS ${quoted(options.table)} (
  resource text PRIMARY KEY,
  version double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);`
}

function quoted(table = 'webhook_inbox_ordering'): string {
  const parts = tableName('postgresOrderingStore', table, true)
  return parts.schema === undefined ? `"${parts.table}"` : `"${parts.schema}"."${parts.table}"`
}

/**
 * An ordering store on PostgreSQL: the highest version per resource, advanced by one
 * `INSERT ... ON CONFLICT DO UPDATE SET version = GREATEST(...)` statement, so the compare and
 * the set are one atomic step (the conflicting row is locked) across every process. Works with
 * pg, postgres.js and PGlite; the client is yours.
 *
 * @example
 * import pg from 'pg'
 * import { createOrderingGuard, postgresOrderingStore } from 'webhook-inbox/ordering'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const guard = createOrderingGuard({ store: postgresOrderingStore({ query: (text, params) => pool.query(text, params) }) })
 */
export function postgresOrderingStore(options: PostgresOrderingStoreOptions): OrderingStore {
  configInvariant(
    typeof options?.query === 'function',
    'postgresOrderingStore: `query` is required, e.g. `(text, params) => pool.query(text, params)` for pg.',
  )
  const name = quoted(options.table)
  const createTable = options.createTable ?? true
  const query = options.query
  const advanceSql = `INSERT INTO ${name} AS o (resource, version) VALUES ($1, $2::double precision)
ON CONFLICT (resource) DO UPDATE SET version = GREATEST(o.version, excluded.version), updated_at = statement_timestamp()
RETURNING version`
  // The advisory lock serialises concurrent creators, as postgresStore does.
  const create = onceUntilFailure(() =>
    query(
      `DO $webhook_inbox$ BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('webhook-inbox:create-table'));
  ${postgresOrderingSchema(options)}
END $webhook_inbox$`,
      [],
    ),
  )
  const prepare = () => (createTable ? create() : Promise.resolve())

  return {
    async advance(resource, version) {
      let rows: unknown
      try {
        await prepare()
        const result = (await query(advanceSql, [await storageKey(resource), version])) as unknown
        rows = Array.isArray(result) ? result : (result as { rows?: unknown } | undefined)?.rows
      } catch (error) {
        throw new WebhookStoreError(
          'store_unavailable',
          'postgresOrderingStore: advance failed; is PostgreSQL reachable?',
          { cause: error },
        )
      }
      const row = Array.isArray(rows) ? (rows[0] as { version?: unknown } | undefined) : undefined
      return advanceResult(row?.version, version, 'postgresOrderingStore')
    },
    async close() {
      // The client belongs to the caller.
    },
  }
}
