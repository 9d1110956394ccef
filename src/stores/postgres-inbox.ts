import { fromBase64, toBase64 } from '../crypto/encoding.js'
import { configInvariant, WebhookStoreError } from '../errors.js'
import {
  listQuery,
  notifyWatchers,
  pruneQuery,
  recordFromRow,
  replayQuery,
  storedKeys,
  verifyRecord,
} from '../inbox/inbox-internal.js'
import type { Inbox, InboxLease, InboxQuery, InboxRecord, InboxState, InboxStats } from '../inbox/types.js'
import { newToken, storageKey, tableName } from './key-internal.js'
import type { PostgresQuery } from './postgres.js'
import { createOnce, lockedDdl, rowsOf, runner } from './postgres-internal.js'

/**
 * Runs `work` on one connection between `BEGIN` and `COMMIT` (`ROLLBACK` when it throws), giving
 * it a `query` bound to that connection, and resolves with what `work` resolved.
 */
export type PostgresTransaction = <R>(work: (query: PostgresQuery) => Promise<R>) => Promise<R>

/** Options of {@link postgresInbox}. */
export interface PostgresInboxOptions {
  /**
   * Runs one statement with `$n` parameters and resolves with `{ rows }` (or the rows): the same
   * function as `postgresStore`'s. pg: `(text, params) => pool.query(text, params)`; postgres.js:
   * `(text, params) => sql.unsafe(text, params, { prepare: true }).then((rows) => ({ rows }))`; PGlite:
   * `(text, params) => db.query(text, params)`.
   */
  query: PostgresQuery
  /**
   * Runs a function in one transaction; needed only by workers with `transactional: true`.
   * pg Pool: `pgPoolTransaction(pool)`; postgres.js:
   * `(work) => sql.begin((tx) => work((text, params) => tx.unsafe(text, params, { prepare: true }).then((rows) => ({ rows }))))`;
   * PGlite: `(work) => db.transaction((tx) => work((text, params) => tx.query(text, params)))`.
   */
  transaction?: PostgresTransaction
  /**
   * Subscribes to a notification channel, so that idle workers wake within milliseconds of a new
   * delivery instead of at their next poll. A bare `query` cannot receive notifications: pass a
   * dedicated pg Client, `(channel, onNotify) => { client.on('notification', (n) => n.channel === channel && onNotify()); return client.query(\`LISTEN "${'$'}{channel}"\`) }`,
   * or postgres.js, `(channel, onNotify) => sql.listen(channel, onNotify)` (which reconnects by
   * itself). Without it, workers poll.
   */
  listen?: (channel: string, onNotify: () => void) => unknown
  /**
   * Table of the inbox, optionally `schema.table`: letters, digits and underscores only. Its
   * dedupe keys live in `<table>_keys`.
   * @default 'webhook_inbox_events'
   */
  table?: string
  /**
   * Create the tables and indexes (`IF NOT EXISTS`, safe when many processes start at once)
   * before the first operation. Turn it off when migrations own the schema;
   * {@link postgresInboxSchema} prints it.
   * @default true
   */
  createTable?: boolean
}

/** An {@link Inbox} on PostgreSQL; `channel` is what workers `LISTEN` on. */
export interface PostgresInbox extends Inbox {
  readonly channel: string
}

const DEFAULT_TABLE = 'webhook_inbox_events'
const STATES = "('pending', 'processing', 'failed', 'dead', 'done')"
const DUE = "('pending', 'failed', 'processing')"

function names(table: string) {
  const { schema, table: bare } = tableName('postgresInbox', table, true)
  const q = (name: string) => (schema === undefined ? `"${name}"` : `"${schema}"."${name}"`)
  return {
    events: q(bare),
    keys: q(`${bare}_keys`),
    dueIndex: `"${bare}_due_idx"`,
    stateIndex: `"${bare}_state_idx"`,
    keysIndex: `"${bare}_keys_event_idx"`,
    channel: `${table}_due`,
  }
}

/**
 * The SQL that creates the inbox's tables and indexes, for migrations.
 *
 * @example
 * import { postgresInboxSchema } from 'webhook-inbox/postgres'
 * console.log(postgresInboxSchema({ table: 'webhooks.inbox' }))
 */
export function postgresInboxSchema(options: { table?: string } = {}): string {
  const n = names(options.table ?? DEFAULT_TABLE)
  return `CREATE TABLE IF NOT EXISTS ${n.events} (
  key text PRIMARY KEY,                 -- the first dedupe key, provider:id
  seq bigserial NOT NULL UNIQUE,        -- acceptance order
  keys text[] NOT NULL,                 -- every dedupe key of the delivery
  provider text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  state text NOT NULL CHECK (state IN ${STATES}),
  event text NOT NULL,                  -- the WebhookEvent as JSON, what the worker processes
  body bytea NOT NULL,                  -- the exact raw body
  headers text NOT NULL,                -- JSON, credentials removed
  method text NOT NULL,
  url text NOT NULL,
  received_at timestamptz NOT NULL,
  signed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,          -- when due; for processing rows, the end of the lease
  lease_token text,
  last_error_code text,
  last_error_message text,
  replays integer NOT NULL DEFAULT 0,
  accepted_at timestamptz NOT NULL,
  started_at timestamptz,
  failed_at timestamptz,
  dead_at timestamptz,
  done_at timestamptz,
  replayed_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${n.dueIndex} ON ${n.events} (next_attempt_at, seq) WHERE state IN ${DUE};
CREATE INDEX IF NOT EXISTS ${n.stateIndex} ON ${n.events} (state, updated_at);
CREATE TABLE IF NOT EXISTS ${n.keys} (
  key text PRIMARY KEY,                 -- one dedupe key
  event_key text NOT NULL               -- the key of its row
);
CREATE INDEX IF NOT EXISTS ${n.keysIndex} ON ${n.keys} (event_key);`
}

type Row = Record<string, unknown>

// `text` refuses NUL. These columns only serve filters; the exact values live in the event JSON.
const plain = (value: string) => value.replaceAll('\0', '\uFFFD')

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`

function uniqueViolation(error: unknown): boolean {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true
  }
  return false
}

/**
 * A helper for {@link PostgresInboxOptions.transaction} with a pg `Pool`: takes one client,
 * runs `BEGIN`, the work and `COMMIT` (`ROLLBACK` on a throw), and gives the client back (or
 * destroys it when the connection broke).
 *
 * @example
 * import pg from 'pg'
 * import { pgPoolTransaction, postgresInbox } from 'webhook-inbox/postgres'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const inbox = postgresInbox({ query: (text, params) => pool.query(text, params), transaction: pgPoolTransaction(pool) })
 */
export function pgPoolTransaction(pool: {
  connect(): Promise<{
    query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
    release(error?: unknown): void
    on?(event: 'error', listener: (error: Error) => void): unknown
    off?(event: 'error', listener: (error: Error) => void): unknown
  }>
}): PostgresTransaction {
  return async (work) => {
    const client = await pool.connect()
    let broken: unknown
    // A checked-out pg client whose connection dies while `work` runs emits 'error' with no
    // listener of the pool's, which would end the process; the next query fails instead.
    const onError = (error: Error) => {
      broken = error
    }
    client.on?.('error', onError)
    try {
      await client.query('BEGIN')
      const result = await work((text, params) => client.query(text, params))
      await client.query('COMMIT')
      return result
    } catch (error) {
      try {
        await client.query('ROLLBACK')
      } catch (rollback) {
        broken = rollback
      }
      throw error
    } finally {
      client.off?.('error', onError)
      client.release(broken instanceof Error ? broken : undefined)
    }
  }
}

/**
 * A durable inbox on PostgreSQL, shared by every receiver and worker process using the same
 * database. `accept` is one statement that inserts the dedupe keys and the row, so the delivery
 * is either stored whole or a duplicate (a concurrent copy waits for the first insert and is then
 * a duplicate). Workers claim with `FOR UPDATE SKIP LOCKED`; every new or replayed row sends a
 * `NOTIFY` on {@link PostgresInbox.channel}. All times come from the database clock.
 *
 * @example
 * import pg from 'pg'
 * import { createInboxWorker, createWebhookHandler } from 'webhook-inbox'
 * import { pgPoolTransaction, postgresInbox } from 'webhook-inbox/postgres'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const listener = new pg.Client({ connectionString: process.env.DATABASE_URL })
 * await listener.connect()
 * const inbox = postgresInbox({
 *   query: (text, params) => pool.query(text, params),
 *   transaction: pgPoolTransaction(pool),
 *   listen: (channel, onNotify) => {
 *     listener.on('notification', (n) => n.channel === channel && onNotify())
 *     return listener.query(`LISTEN "${channel}"`)
 *   },
 * })
 * const handler = createWebhookHandler({ provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }), inbox })
 * const worker = createInboxWorker({ inbox, transactional: true, process: async (event, { query }) => {} })
 * worker.start()
 */
export function postgresInbox(options: PostgresInboxOptions): PostgresInbox {
  configInvariant(
    typeof options?.query === 'function',
    'postgresInbox: `query` is required: a function that runs one statement, e.g. `(text, params) => pool.query(text, params)` for pg.',
  )
  configInvariant(
    options.transaction === undefined || typeof options.transaction === 'function',
    'postgresInbox: `transaction` must be a function that runs work in one transaction, e.g. `pgPoolTransaction(pool)`.',
  )
  configInvariant(
    options.listen === undefined || typeof options.listen === 'function',
    'postgresInbox: `listen` must be a function `(channel, onNotify) => ...`, e.g. `(channel, onNotify) => sql.listen(channel, onNotify)` for postgres.js.',
  )
  const table = options.table ?? DEFAULT_TABLE
  const n = names(table)
  const createTable = options.createTable ?? true
  configInvariant(typeof createTable === 'boolean', 'postgresInbox: `createTable` must be true or false.')
  const query = options.query
  const transaction = options.transaction
  const prepare = createOnce(query, createTable ? lockedDdl(postgresInboxSchema({ table })) : undefined)
  const run = runner('postgresInbox', query, prepare)
  const watchers = new Set<() => void>()
  let listening: Promise<unknown> | undefined
  let subscription: unknown

  const columns = `seq::text AS seq, key, array_to_json(keys)::text AS keys, state, event, encode(body, 'base64') AS body,
  headers, method, url, attempts, replays, last_error_code, last_error_message,
  ${ms('next_attempt_at')} AS next_attempt_at, ${ms('accepted_at')} AS accepted_at, ${ms('started_at')} AS started_at,
  ${ms('failed_at')} AS failed_at, ${ms('dead_at')} AS dead_at, ${ms('done_at')} AS done_at,
  ${ms('replayed_at')} AS replayed_at, ${ms('updated_at')} AS updated_at`

  // The NOT EXISTS spares the common sequential duplicate an error; a concurrent copy that slips
  // past it waits on the first insert's key and fails with unique_violation: a duplicate too.
  const acceptSql = `WITH wanted AS (
  SELECT ARRAY(SELECT json_array_elements_text($1::text::json)) AS keys
), fresh AS (
  SELECT keys FROM wanted WHERE NOT EXISTS (SELECT 1 FROM ${n.keys} WHERE key = ANY (wanted.keys))
), inserted_keys AS (
  INSERT INTO ${n.keys} (key, event_key) SELECT unnest(keys), keys[1] FROM fresh RETURNING 1
), inserted AS (
  INSERT INTO ${n.events} (key, keys, provider, event_id, type, state, event, body, headers, method, url,
    received_at, signed_at, next_attempt_at, accepted_at, updated_at)
  SELECT keys[1], keys, $2, $3, $4, 'pending', $5, decode($6, 'base64'), $7, $8, $9, $10::timestamptz,
    $11::timestamptz, statement_timestamp(), statement_timestamp(), statement_timestamp()
  FROM fresh
  RETURNING 1
)
SELECT 1 AS accepted, pg_notify($12, '') FROM inserted`

  const claimSql = `WITH due AS (
  SELECT key, next_attempt_at AS due_at, seq FROM ${n.events}
  WHERE state IN ${DUE} AND next_attempt_at <= statement_timestamp()
  ORDER BY next_attempt_at, seq
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
UPDATE ${n.events} AS e SET state = 'processing', lease_token = $2, attempts = e.attempts + 1,
  next_attempt_at = statement_timestamp() + $3::bigint * interval '1 millisecond',
  started_at = statement_timestamp(), updated_at = statement_timestamp()
FROM due WHERE e.key = due.key
RETURNING e.key, e.attempts, e.event, ${ms('due.due_at')} AS due_at, due.seq::float8 AS seq`

  const held = "key = $1 AND lease_token = $2 AND state = 'processing'"
  const completeSql = `UPDATE ${n.events} SET state = 'done', lease_token = NULL, next_attempt_at = NULL,
  done_at = statement_timestamp(), updated_at = statement_timestamp()
WHERE ${held} AND next_attempt_at > statement_timestamp() RETURNING 1`
  // Inside `transact` the row is locked: no one else can take it, so the lease time no longer matters.
  const completeLockedSql = `UPDATE ${n.events} SET state = 'done', lease_token = NULL, next_attempt_at = NULL,
  done_at = statement_timestamp(), updated_at = statement_timestamp()
WHERE ${held} RETURNING 1`
  const lockSql = `SELECT 1 FROM ${n.events} WHERE ${held} AND next_attempt_at > statement_timestamp() FOR UPDATE`
  const failSql = `UPDATE ${n.events} SET
  state = CASE WHEN $3::bigint IS NULL THEN 'dead' ELSE 'failed' END,
  lease_token = NULL,
  next_attempt_at = CASE WHEN $3::bigint IS NULL THEN NULL
    ELSE statement_timestamp() + $3::bigint * interval '1 millisecond' END,
  last_error_code = $4, last_error_message = $5, failed_at = statement_timestamp(),
  dead_at = CASE WHEN $3::bigint IS NULL THEN statement_timestamp() ELSE dead_at END,
  updated_at = statement_timestamp()
WHERE ${held} AND next_attempt_at > statement_timestamp() RETURNING 1`
  const getSql = `SELECT ${columns} FROM ${n.events} WHERE key = (SELECT event_key FROM ${n.keys} WHERE key = $1)`
  const statsSql = `SELECT state, count(*)::int AS n,
  (extract(epoch from statement_timestamp() - min(accepted_at)) * 1000)::float8 AS oldest
FROM ${n.events} GROUP BY state`
  const replayed = `state = 'pending', attempts = 0, replays = replays + 1, lease_token = NULL,
  replayed_at = statement_timestamp(), next_attempt_at = statement_timestamp(), updated_at = statement_timestamp()`
  const replayKeySql = `WITH r AS (
  UPDATE ${n.events} SET ${replayed}
  WHERE key = (SELECT event_key FROM ${n.keys} WHERE key = $1) AND state IN ('dead', 'done') RETURNING 1
)
SELECT count(*)::int AS n FROM r`
  const notifySql = "SELECT pg_notify($1, '')"

  function milliseconds(value: number): string {
    return String(Math.max(0, Math.ceil(value)))
  }

  function record(row: Row): InboxRecord {
    return recordFromRow(row, fromBase64(String(row.body ?? '').replace(/\s/g, '')) ?? new Uint8Array())
  }

  /** Filters shared by list and replay: appends conditions and parameters. */
  function filters(
    q: { states?: readonly string[]; provider?: string; type?: string; since?: number },
    where: string[],
    params: unknown[],
  ): void {
    // States are checked against the fixed list before they reach the SQL text.
    if (q.states) where.push(`state IN (${q.states.map((s) => `'${s}'`).join(', ')})`)
    if (q.provider !== undefined) {
      params.push(q.provider)
      where.push(`provider = $${params.length}`)
    }
    if (q.type !== undefined) {
      params.push(q.type)
      where.push(`type = $${params.length}`)
    }
    if (q.since !== undefined) {
      params.push(q.since)
      where.push(`accepted_at >= to_timestamp($${params.length}::float8 / 1000)`)
    }
  }

  const inbox: PostgresInbox = {
    channel: n.channel,
    async accept(keys, delivery) {
      const stored = await storedKeys('postgresInbox', keys)
      const { event } = delivery
      let rows: unknown[]
      try {
        rows = await run('accept', acceptSql, [
          JSON.stringify(stored),
          plain(event.provider),
          plain(event.id),
          plain(event.type),
          JSON.stringify(event),
          toBase64(delivery.body),
          JSON.stringify(delivery.headers),
          plain(delivery.method),
          plain(delivery.url),
          event.receivedAt,
          event.timestamp ?? null,
          n.channel,
        ])
      } catch (error) {
        if (uniqueViolation(error)) return { state: 'duplicate' }
        throw error
      }
      if (rows.length === 0) return { state: 'duplicate' }
      notifyWatchers(watchers)
      return { state: 'accepted' }
    },
    async claim({ limit, leaseMs }) {
      const token = newToken()
      const rows = (await run('claim', claimSql, [limit, token, milliseconds(leaseMs)])) as Row[]
      return rows
        .sort((a, b) => Number(a.due_at) - Number(b.due_at) || Number(a.seq) - Number(b.seq))
        .map(
          (row): InboxLease => ({
            key: String(row.key),
            token,
            attempts: Number(row.attempts),
            event: JSON.parse(String(row.event)),
          }),
        )
    },
    async complete(lease) {
      return (await run('complete', completeSql, [lease.key, lease.token])).length > 0
    },
    async fail(lease, failure) {
      const retry = failure.retryInMs === undefined ? null : milliseconds(failure.retryInMs)
      const rows = await run('fail', failSql, [
        lease.key,
        lease.token,
        retry,
        failure.error.code,
        failure.error.message,
      ])
      return rows.length > 0
    },
    ...(transaction
      ? {
          async transact(lease: InboxLease, work: (query: InboxQuery) => Promise<void>) {
            await prepare()
            return transaction(async (raw) => {
              const tx: InboxQuery = async (text, params = []) => ({
                rows: rowsOf('postgresInbox', 'transaction', await raw(text, params)),
              })
              if ((await tx(lockSql, [lease.key, lease.token])).rows.length === 0) return false
              await work(tx)
              const marked = await tx(completeLockedSql, [lease.key, lease.token])
              if (marked.rows.length === 0) {
                throw new WebhookStoreError(
                  'store_unavailable',
                  'postgresInbox: the locked row could not be marked done.',
                )
              }
              return true
            })
          },
        }
      : {}),
    watch(onDue) {
      watchers.add(onDue)
      if (options.listen && !listening) {
        const dispatch = () => notifyWatchers(watchers)
        listening = Promise.resolve()
          .then(() => options.listen?.(n.channel, dispatch))
          .then((value) => {
            subscription = value
          })
          .catch(() => {
            // Polling still finds every row; the next watch() tries again.
            listening = undefined
          })
      }
      return () => {
        watchers.delete(onDue)
      }
    },
    async get(key) {
      const rows = (await run('get', getSql, [await storageKey(key)])) as Row[]
      return rows[0] ? record(rows[0]) : undefined
    },
    async list(listOptions) {
      const q = listQuery('postgresInbox', listOptions)
      const where: string[] = []
      const params: unknown[] = []
      filters(q, where, params)
      if (q.before !== undefined) {
        params.push(q.before)
        where.push(`seq < $${params.length}::bigint`)
      }
      params.push(q.limit + 1)
      const rows = (await run(
        'list',
        `SELECT ${columns} FROM ${n.events} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      )) as Row[]
      const page = rows.slice(0, q.limit)
      const last = page.at(-1)
      return { records: page.map(record), ...(rows.length > q.limit && last ? { cursor: String(last.seq) } : {}) }
    },
    async stats() {
      const rows = (await run('stats', statsSql, [])) as Row[]
      const stats: InboxStats = {
        pending: 0,
        processing: 0,
        failed: 0,
        dead: 0,
        done: 0,
        oldestPendingAgeMs: null,
        oldestFailedAgeMs: null,
      }
      for (const row of rows) {
        const state = row.state as InboxState
        stats[state] = Number(row.n)
        const age = Math.max(0, Math.round(Number(row.oldest)))
        if (state === 'pending') stats.oldestPendingAgeMs = age
        if (state === 'failed') stats.oldestFailedAgeMs = age
      }
      return stats
    },
    async replay(keyOrFilter) {
      let total = 0
      if (typeof keyOrFilter === 'string') {
        const rows = (await run('replay', replayKeySql, [await storageKey(keyOrFilter)])) as Row[]
        total = Number(rows[0]?.n ?? 0)
      } else {
        const q = replayQuery('postgresInbox', keyOrFilter)
        const [start] = (await run('replay', `SELECT ${ms('statement_timestamp()')} AS now`, [])) as Row[]
        for (;;) {
          const batch = Math.min(1000, q.limit - total)
          if (batch <= 0) break
          const where: string[] = []
          const params: unknown[] = [Number(start?.now)]
          where.push('updated_at < to_timestamp($1::float8 / 1000)')
          filters(q, where, params)
          params.push(batch)
          const rows = (await run(
            'replay',
            `WITH r AS (
  UPDATE ${n.events} SET ${replayed}
  WHERE key IN (SELECT key FROM ${n.events} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length} FOR UPDATE SKIP LOCKED)
  RETURNING 1
)
SELECT count(*)::int AS n FROM r`,
            params,
          )) as Row[]
          const count = Number(rows[0]?.n ?? 0)
          total += count
          if (count < batch) break
        }
      }
      if (total > 0) {
        await run('replay', notifySql, [n.channel])
        notifyWatchers(watchers)
      }
      return total
    },
    async prune(pruneOptions) {
      const q = pruneQuery('postgresInbox', pruneOptions)
      const sql = `WITH victims AS (
  SELECT key FROM ${n.events}
  WHERE state IN (${q.states.map((s) => `'${s}'`).join(', ')})
    AND updated_at <= statement_timestamp() - $1::bigint * interval '1 millisecond'
  ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
), gone_keys AS (
  DELETE FROM ${n.keys} WHERE event_key IN (SELECT key FROM victims)
), gone AS (
  DELETE FROM ${n.events} WHERE key IN (SELECT key FROM victims) RETURNING 1
)
SELECT count(*)::int AS deleted FROM gone`
      let total = 0
      for (;;) {
        const rows = (await run('prune', sql, [String(q.olderThanMs), q.batchSize])) as Row[]
        const deleted = Number(rows[0]?.deleted ?? 0)
        total += deleted
        if (deleted < q.batchSize) return total
      }
    },
    async verify(key, provider) {
      return verifyRecord('postgresInbox', await inbox.get(key), provider)
    },
    async close() {
      watchers.clear()
      const unlisten = (subscription as { unlisten?: unknown } | undefined)?.unlisten
      subscription = undefined
      listening = undefined
      if (typeof unlisten === 'function') await Promise.resolve(unlisten()).catch(() => {})
    },
  }
  return inbox
}
