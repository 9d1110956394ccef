import { configInvariant, WebhookStoreError } from '../errors.js'
import { storageKey, tableName } from '../stores/key-internal.js'
import type { PostgresQuery } from '../stores/postgres.js'
import {
  advanceResult,
  type OrderingRetentionOptions,
  type OrderingStore,
  onceUntilFailure,
  pruneOptions,
  retentionOptions,
} from './store.js'

/** Options of {@link postgresOrderingStore}. */
export interface PostgresOrderingStoreOptions extends OrderingRetentionOptions {
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
  const { table } = tableName('postgresOrderingStore', options.table ?? 'webhook_inbox_ordering', true)
  return `CREATE TABLE IF NOT EXISTS ${quoted(options.table)} (
  resource text PRIMARY KEY,
  version double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX IF NOT EXISTS "${table}_updated_at" ON ${quoted(options.table)} (updated_at);`
}

function quoted(table = 'webhook_inbox_ordering'): string {
  const parts = tableName('postgresOrderingStore', table, true)
  return parts.schema === undefined ? `"${parts.table}"` : `"${parts.schema}"."${parts.table}"`
}

/** An ordering store on PostgreSQL; `prune` deletes the records past their retention. */
export interface PostgresOrderingStore extends OrderingStore {
  prune: NonNullable<OrderingStore['prune']>
}

/**
 * An ordering store on PostgreSQL: the highest version per resource, advanced by one
 * `INSERT ... ON CONFLICT DO UPDATE` statement, so the compare and the set are one atomic step
 * (the conflicting row is locked) across every process. A record older than `retentionMs` is
 * treated as absent by that same statement; `prune()` deletes such records (run it daily, as
 * the inbox's). Works with pg, postgres.js and PGlite; the client is yours.
 *
 * @example
 * import pg from 'pg'
 * import { createOrderingGuard, postgresOrderingStore } from 'webhook-inbox/ordering'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const store = postgresOrderingStore({ query: (text, params) => pool.query(text, params) })
 * const guard = createOrderingGuard({ store })
 * setInterval(() => void store.prune().catch(console.error), 24 * 3_600_000).unref()
 */
export function postgresOrderingStore(options: PostgresOrderingStoreOptions): PostgresOrderingStore {
  configInvariant(
    typeof options?.query === 'function',
    'postgresOrderingStore: `query` is required, e.g. `(text, params) => pool.query(text, params)` for pg.',
  )
  const name = quoted(options.table)
  const createTable = options.createTable ?? true
  const query = options.query
  const { retentionMs, now } = retentionOptions(options, 'postgresOrderingStore')
  // $3 is now and $4 the cutoff before which a record has expired, both in epoch ms from the
  // caller's clock (so one clock decides, also under test). A live higher version keeps its row.
  const kept = 'o.version > excluded.version AND o.updated_at > to_timestamp($4::double precision / 1000)'
  const advanceSql = `INSERT INTO ${name} AS o (resource, version, updated_at)
VALUES ($1, $2::double precision, to_timestamp($3::double precision / 1000))
ON CONFLICT (resource) DO UPDATE SET
  version = CASE WHEN ${kept} THEN o.version ELSE excluded.version END,
  updated_at = CASE WHEN ${kept} THEN o.updated_at ELSE excluded.updated_at END
RETURNING version`
  const pruneSql = `WITH gone AS (
  DELETE FROM ${name} WHERE resource IN (
    SELECT resource FROM ${name} WHERE updated_at <= to_timestamp($1::double precision / 1000) LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  RETURNING 1
)
SELECT count(*)::int AS n FROM gone`
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

  function unavailable(operation: string, error: unknown): WebhookStoreError {
    return new WebhookStoreError(
      'store_unavailable',
      `postgresOrderingStore: ${operation} failed; is PostgreSQL reachable?`,
      { cause: error },
    )
  }

  return {
    async advance(resource, version) {
      let rows: unknown
      try {
        await prepare()
        const time = now()
        const result = (await query(advanceSql, [
          await storageKey(resource),
          version,
          time,
          time - retentionMs,
        ])) as unknown
        rows = rowsOf(result)
      } catch (error) {
        throw unavailable('advance', error)
      }
      const row = Array.isArray(rows) ? (rows[0] as { version?: unknown } | undefined) : undefined
      return advanceResult(row?.version, version, 'postgresOrderingStore')
    },
    async prune(pruning) {
      const { olderThanMs, batchSize } = pruneOptions(pruning, retentionMs, 'postgresOrderingStore')
      let total = 0
      try {
        await prepare()
        const cutoff = now() - olderThanMs
        for (;;) {
          const rows = rowsOf(await query(pruneSql, [cutoff, batchSize]))
          const deleted = Number((Array.isArray(rows) ? (rows[0] as { n?: unknown } | undefined) : undefined)?.n ?? 0)
          total += deleted
          if (deleted < batchSize) return total
        }
      } catch (error) {
        throw unavailable('prune', error)
      }
    },
    async close() {
      // The client belongs to the caller.
    },
  }
}

function rowsOf(result: unknown): unknown {
  return Array.isArray(result) ? result : (result as { rows?: unknown } | undefined)?.rows
}
