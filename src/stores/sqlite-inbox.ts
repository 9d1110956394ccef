import type { Database } from 'better-sqlite3'
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

/** Options of {@link sqliteInbox}. */
export interface SqliteInboxOptions {
  /**
   * An open better-sqlite3 `Database` (file-backed). Give the handler and the worker of one
   * process the same inbox (one connection): a transactional `process` holds SQLite's write lock,
   * and operations on this inbox wait for it without blocking the event loop. It stays yours:
   * `close()` never closes it.
   */
  database: Database
  /**
   * Table of the inbox: letters, digits and underscores only. Its dedupe keys live in
   * `<table>_keys`. Created, with their indexes, if missing.
   * @default 'webhook_inbox_events'
   */
  table?: string
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

type Row = Record<string, unknown>

/**
 * A durable inbox for one machine, on better-sqlite3 (12 or later): the single-machine and
 * development default. Several processes on that machine may share the file (WAL mode); `accept`
 * and `claim` run in `IMMEDIATE` transactions, which take SQLite's write lock first, so a delivery
 * is stored whole or is a duplicate, and a row is leased by one worker. Transactional processing
 * (`transactional: true` on the worker) runs `process` between `BEGIN IMMEDIATE` and `COMMIT` on
 * this connection: its `query` takes `?` parameters. For several machines, use `postgresInbox`.
 *
 * @example
 * import Database from 'better-sqlite3'
 * import { createInboxWorker, createWebhookHandler } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 * import { sqliteInbox } from 'webhook-inbox/sqlite'
 *
 * const inbox = sqliteInbox({ database: new Database('./webhooks.db') })
 * const handler = createWebhookHandler({ provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }), inbox })
 * createInboxWorker({ inbox, process: async (event) => console.log(event.type) }).start()
 */
export function sqliteInbox(options: SqliteInboxOptions): Inbox {
  const database = options?.database
  configInvariant(
    typeof database?.prepare === 'function' && typeof database.transaction === 'function',
    "sqliteInbox: `database` is required: an open better-sqlite3 Database, e.g. `new Database('./webhooks.db')`.",
  )
  const { table } = tableName('sqliteInbox', options.table ?? 'webhook_inbox_events', false)
  const now = options.now ?? Date.now
  const events = `"${table}"`
  const keysTable = `"${table}_keys"`

  // WAL: readers never wait for the writer (https://www.sqlite.org/wal.html); a memory database cannot use it.
  if (!database.memory) database.pragma('journal_mode = WAL')
  database.exec(`CREATE TABLE IF NOT EXISTS ${events} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  keys TEXT NOT NULL,
  provider TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'processing', 'failed', 'dead', 'done')),
  event TEXT NOT NULL,
  body BLOB NOT NULL,
  headers TEXT NOT NULL,
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_token TEXT,
  last_error_code TEXT,
  last_error_message TEXT,
  replays INTEGER NOT NULL DEFAULT 0,
  accepted_at INTEGER NOT NULL,
  started_at INTEGER,
  failed_at INTEGER,
  dead_at INTEGER,
  done_at INTEGER,
  replayed_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS "${table}_due_idx" ON ${events} (next_attempt_at, seq) WHERE state IN ('pending', 'failed', 'processing');
CREATE INDEX IF NOT EXISTS "${table}_state_idx" ON ${events} (state, updated_at);
CREATE TABLE IF NOT EXISTS ${keysTable} (key TEXT PRIMARY KEY, event_key TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS "${table}_keys_event_idx" ON ${keysTable} (event_key);`)

  const hasKey = database.prepare<[string]>(`SELECT 1 FROM ${keysTable} WHERE key = ?`).pluck()
  const insertKey = database.prepare<[string, string]>(`INSERT INTO ${keysTable} (key, event_key) VALUES (?, ?)`)
  const insertEvent = database.prepare(
    `INSERT INTO ${events} (key, keys, provider, event_id, type, state, event, body, headers, method, url,
      next_attempt_at, accepted_at, updated_at)
     VALUES (@key, @keys, @provider, @id, @type, 'pending', @event, @body, @headers, @method, @url, @now, @now, @now)`,
  )
  const dueRows = database.prepare<[number, number], Row>(
    `SELECT key, attempts, event FROM ${events}
     WHERE state IN ('pending', 'failed', 'processing') AND next_attempt_at <= ?
     ORDER BY next_attempt_at, seq LIMIT ?`,
  )
  const lease = database.prepare(
    `UPDATE ${events} SET state = 'processing', lease_token = @token, attempts = attempts + 1,
       next_attempt_at = @due, started_at = @now, updated_at = @now WHERE key = @key`,
  )
  const held = "key = @key AND lease_token = @token AND state = 'processing'"
  const complete = database.prepare(
    `UPDATE ${events} SET state = 'done', lease_token = NULL, next_attempt_at = NULL, done_at = @now, updated_at = @now
     WHERE ${held} AND next_attempt_at > @now`,
  )
  const completeLocked = database.prepare(
    `UPDATE ${events} SET state = 'done', lease_token = NULL, next_attempt_at = NULL, done_at = @now, updated_at = @now
     WHERE ${held}`,
  )
  const stillHeld = database.prepare(`SELECT 1 FROM ${events} WHERE ${held} AND next_attempt_at > @now`).pluck()
  const fail = database.prepare(
    `UPDATE ${events} SET state = CASE WHEN @retry IS NULL THEN 'dead' ELSE 'failed' END, lease_token = NULL,
       next_attempt_at = CASE WHEN @retry IS NULL THEN NULL ELSE @now + @retry END,
       last_error_code = @code, last_error_message = @message, failed_at = @now,
       dead_at = CASE WHEN @retry IS NULL THEN @now ELSE dead_at END, updated_at = @now
     WHERE ${held} AND next_attempt_at > @now`,
  )
  const eventKey = database.prepare<[string]>(`SELECT event_key FROM ${keysTable} WHERE key = ?`).pluck()
  const byKey = database.prepare<[string], Row>(`SELECT * FROM ${events} WHERE key = ?`)
  const statsRows = database.prepare<[], Row>(
    `SELECT state, count(*) AS n, min(accepted_at) AS oldest FROM ${events} GROUP BY state`,
  )
  const replayed = `state = 'pending', attempts = 0, replays = replays + 1, lease_token = NULL,
    replayed_at = @now, next_attempt_at = @now, updated_at = @now`
  const replayOne = database.prepare(`UPDATE ${events} SET ${replayed} WHERE key = @key AND state IN ('dead', 'done')`)

  // Holds the other operations of this connection while a transactional `process` is open, so
  // that they neither join its transaction nor busy-wait on its lock.
  let gate: Promise<void> | undefined
  const watchers = new Set<() => void>()

  async function turn<R>(operation: string, work: () => R): Promise<R> {
    while (gate) await gate
    try {
      return work()
    } catch (error) {
      // SQLITE_BUSY after the busy timeout, a closed database, a full disk.
      throw new WebhookStoreError('store_unavailable', `sqliteInbox: ${operation} failed.`, { cause: error })
    }
  }

  function record(row: Row): InboxRecord {
    const body = row.body as Uint8Array
    return recordFromRow(row, new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)))
  }

  function filters(
    q: { states?: readonly string[]; provider?: string; type?: string; since?: number },
    where: string[],
    params: Record<string, unknown>,
  ): void {
    // States are checked against the fixed list before they reach the SQL text.
    if (q.states) where.push(`state IN (${q.states.map((s) => `'${s}'`).join(', ')})`)
    if (q.provider !== undefined) {
      params.provider = q.provider
      where.push('provider = @provider')
    }
    if (q.type !== undefined) {
      params.type = q.type
      where.push('type = @type')
    }
    if (q.since !== undefined) {
      params.since = q.since
      where.push('accepted_at >= @since')
    }
  }

  const accept = database.transaction((stored: string[], values: Record<string, unknown>): boolean => {
    if (stored.some((key) => hasKey.get(key) !== undefined)) return false
    for (const key of stored) insertKey.run(key, stored[0] as string)
    insertEvent.run(values)
    return true
  })
  const claim = database.transaction((limit: number, leaseMs: number, token: string): InboxLease[] => {
    const time = now()
    return dueRows.all(time, limit).map((row) => {
      lease.run({ token, due: time + leaseMs, now: time, key: String(row.key) })
      return { key: String(row.key), token, attempts: Number(row.attempts) + 1, event: JSON.parse(String(row.event)) }
    })
  })
  const prune = database.transaction((states: string[], cutoff: number, batch: number): number => {
    const victims = database
      .prepare<[number, number], string>(
        `SELECT key FROM ${events} WHERE state IN (${states.map((s) => `'${s}'`).join(', ')}) AND updated_at <= ? ORDER BY seq LIMIT ?`,
      )
      .pluck()
      .all(cutoff, batch)
    const dropKeys = database.prepare<[string]>(`DELETE FROM ${keysTable} WHERE event_key = ?`)
    const dropEvent = database.prepare<[string]>(`DELETE FROM ${events} WHERE key = ?`)
    for (const key of victims) {
      dropKeys.run(key)
      dropEvent.run(key)
    }
    return victims.length
  })

  const query: InboxQuery = async (text, params = []) => {
    const statement = database.prepare(text)
    if (statement.reader) return { rows: statement.all(...params) as unknown[] }
    statement.run(...params)
    return { rows: [] }
  }

  const inbox: Inbox = {
    async accept(keys, delivery) {
      const stored = await storedKeys('sqliteInbox', keys)
      const { event } = delivery
      const body = delivery.body
      const values = {
        key: stored[0],
        keys: JSON.stringify(stored),
        provider: event.provider,
        id: event.id,
        type: event.type,
        event: JSON.stringify(event),
        body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        headers: JSON.stringify(delivery.headers),
        method: delivery.method,
        url: delivery.url,
        now: now(),
      }
      const accepted = await turn('accept', () => accept.immediate(stored, values))
      if (!accepted) return { state: 'duplicate' }
      notifyWatchers(watchers)
      return { state: 'accepted' }
    },
    async claim({ limit, leaseMs }) {
      return turn('claim', () => claim.immediate(limit, leaseMs, newToken()))
    },
    async complete(held) {
      return turn('complete', () => complete.run({ key: held.key, token: held.token, now: now() }).changes > 0)
    },
    async fail(held, failure) {
      return turn(
        'fail',
        () =>
          fail.run({
            key: held.key,
            token: held.token,
            now: now(),
            retry: failure.retryInMs === undefined ? null : Math.max(0, Math.ceil(failure.retryInMs)),
            code: failure.error.code,
            message: failure.error.message,
          }).changes > 0,
      )
    },
    async transact(held, work) {
      while (gate) await gate
      let open!: () => void
      gate = new Promise((resolve) => {
        open = resolve
      })
      try {
        try {
          database.exec('BEGIN IMMEDIATE')
        } catch (error) {
          throw new WebhookStoreError('store_unavailable', 'sqliteInbox: could not begin a transaction.', {
            cause: error,
          })
        }
        try {
          if (stillHeld.get({ key: held.key, token: held.token, now: now() }) === undefined) {
            database.exec('ROLLBACK')
            return false
          }
          await work(query)
          if (completeLocked.run({ key: held.key, token: held.token, now: now() }).changes === 0) {
            throw new WebhookStoreError('store_unavailable', 'sqliteInbox: the locked row could not be marked done.')
          }
          database.exec('COMMIT')
          return true
        } catch (error) {
          if (database.inTransaction) database.exec('ROLLBACK')
          throw error
        }
      } finally {
        gate = undefined
        open()
      }
    },
    watch(onDue) {
      watchers.add(onDue)
      return () => {
        watchers.delete(onDue)
      }
    },
    async get(key) {
      const stored = await storageKey(key)
      return turn('get', () => {
        const main = eventKey.get(stored) as string | undefined
        const row = main === undefined ? undefined : byKey.get(main)
        return row ? record(row) : undefined
      })
    },
    async list(listOptions) {
      const q = listQuery('sqliteInbox', listOptions)
      const where: string[] = []
      const params: Record<string, unknown> = { limit: q.limit + 1 }
      filters(q, where, params)
      if (q.before !== undefined) {
        params.before = q.before
        where.push('seq < @before')
      }
      const rows = await turn('list', () =>
        database
          .prepare<Record<string, unknown>, Row>(
            `SELECT * FROM ${events} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`,
          )
          .all(params),
      )
      const page = rows.slice(0, q.limit)
      const last = page.at(-1)
      return { records: page.map(record), ...(rows.length > q.limit && last ? { cursor: String(last.seq) } : {}) }
    },
    async stats() {
      return turn('stats', () => {
        const time = now()
        const stats: InboxStats = {
          pending: 0,
          processing: 0,
          failed: 0,
          dead: 0,
          done: 0,
          oldestPendingAgeMs: null,
          oldestFailedAgeMs: null,
        }
        for (const row of statsRows.all()) {
          const state = row.state as InboxState
          stats[state] = Number(row.n)
          const age = Math.max(0, time - Number(row.oldest))
          if (state === 'pending') stats.oldestPendingAgeMs = age
          if (state === 'failed') stats.oldestFailedAgeMs = age
        }
        return stats
      })
    },
    async replay(keyOrFilter) {
      let total: number
      if (typeof keyOrFilter === 'string') {
        const stored = await storageKey(keyOrFilter)
        total = await turn('replay', () => {
          const main = eventKey.get(stored) as string | undefined
          return main === undefined ? 0 : replayOne.run({ key: main, now: now() }).changes
        })
      } else {
        const q = replayQuery('sqliteInbox', keyOrFilter)
        const where: string[] = []
        const params: Record<string, unknown> = { now: now() }
        filters(q, where, params)
        if (Number.isFinite(q.limit)) params.limit = q.limit
        total = await turn(
          'replay',
          () =>
            database
              .prepare(
                `UPDATE ${events} SET ${replayed} WHERE seq IN (SELECT seq FROM ${events} WHERE ${where.join(' AND ')} ORDER BY seq ${Number.isFinite(q.limit) ? 'LIMIT @limit' : ''})`,
              )
              .run(params).changes,
        )
      }
      if (total > 0) notifyWatchers(watchers)
      return total
    },
    async prune(pruneOptions) {
      const q = pruneQuery('sqliteInbox', pruneOptions)
      let total = 0
      for (;;) {
        const deleted = await turn('prune', () => prune.immediate(q.states, now() - q.olderThanMs, q.batchSize))
        total += deleted
        if (deleted < q.batchSize) return total
      }
    },
    async verify(key, provider) {
      return verifyRecord('sqliteInbox', await inbox.get(key), provider)
    },
    async close() {
      watchers.clear()
    },
  }
  return inbox
}
