// What the PostgreSQL store and inbox share: running a statement, creating tables once.
import { WebhookStoreError } from '../errors.js'
import type { PostgresQuery } from './postgres.js'

/** The rows of a `query` result: `{ rows }` (pg, PGlite) or the rows themselves (postgres.js). */
export function rowsOf(name: string, operation: string, result: unknown): unknown[] {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown } | undefined)?.rows
  if (!Array.isArray(rows)) {
    throw new WebhookStoreError(
      'store_unavailable',
      `${name}: ${operation} got no rows from \`query\`; it must resolve to { rows } (pg, PGlite) or to the rows (postgres.js).`,
    )
  }
  return rows
}

/**
 * `prepare()` for a store or inbox: runs `createSql` once before the first operation (nothing when
 * it is undefined); a failure (database down) is tried again by the next operation.
 */
export function createOnce(query: PostgresQuery, createSql: string | undefined): () => Promise<void> {
  let ready: Promise<void> | undefined
  return () => {
    if (createSql === undefined) return Promise.resolve()
    if (!ready) {
      const attempt = query(createSql, []).then(() => undefined)
      attempt.catch(() => {
        if (ready === attempt) ready = undefined
      })
      ready = attempt
    }
    return ready
  }
}

/** Wraps DDL in a transaction-scoped advisory lock, so that processes starting at once do not race. */
export function lockedDdl(ddl: string): string {
  // Two plain `CREATE TABLE IF NOT EXISTS` racing can still fail with "duplicate key value
  // violates unique constraint pg_type_typname_nsp_index".
  return `DO $webhook_inbox$ BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('webhook-inbox:create-table'));
${ddl}
END $webhook_inbox$`
}

/**
 * Runs one statement after `prepare()`, turning a driver failure into `store_unavailable` and
 * checking the result's shape. Shared by the PostgreSQL store and inbox.
 */
export function runner(
  name: string,
  query: PostgresQuery,
  prepare: () => Promise<void>,
): (operation: string, text: string, params: unknown[]) => Promise<unknown[]> {
  return async (operation, text, params) => {
    let result: unknown
    try {
      await prepare()
      result = await query(text, params)
    } catch (error) {
      throw new WebhookStoreError('store_unavailable', `${name}: ${operation} failed; is PostgreSQL reachable?`, {
        cause: error,
      })
    }
    return rowsOf(name, operation, result)
  }
}
