// The test's own, direct view of Redis and PostgreSQL: it prepares a fresh namespace per test,
// reads what the workers enqueued and what the store marked done, and cleans up. It never goes
// through the proxy, so it sees the truth while the workers' link is cut.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createClient } from 'redis'
import { postgresSchema } from '../../src/stores/postgres.js'
import { sqliteStore } from '../../src/stores/sqlite.js'
import { databaseUrl, redisUrl } from '../helpers/services.js'
import type { Backend } from './fixtures/backends.js'
import { runId } from './harness.js'

export interface Namespace {
  /** Redis key prefix or PostgreSQL table of the dedupe store. */
  namespace: string
  /** Redis list or PostgreSQL table of enqueued events. */
  records: string
}

export interface Enqueued {
  id: string
  worker: string
}

export interface ProofDatabase {
  readonly name: string
  /** Two different clients, so that every proof also mixes client libraries across processes. */
  readonly backends: readonly [Backend, Backend]
  /** The real service (a file path for SQLite). */
  readonly url: string
  /** Where a proxy forwards to; absent when there is no network link to cut. */
  readonly target?: { host: string; port: number }
  /** `url` with host and port replaced by the proxy's. */
  viaProxy?(port: number): string
  prepare(): Promise<Namespace>
  /** Every enqueued event, in the database itself. */
  enqueued(ns: Namespace): Promise<Enqueued[]>
  /** The ids (of `ids`) the store holds as done, read without changing anything. */
  done(ns: Namespace, ids: readonly string[]): Promise<Set<string>>
  cleanup(ns: Namespace): Promise<void>
  close(): Promise<void>
}

function target(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url)
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || defaultPort) }
}

function replaceHost(url: string, port: number): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(port)
  return parsed.toString()
}

// The handler's dedupe key is `provider:id`; every proof uses the stripe preset.
const dedupeKey = (id: string) => `stripe:${id}`

export async function redisDatabase(): Promise<ProofDatabase> {
  const url = redisUrl()
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  return {
    name: 'Redis',
    backends: ['node-redis', 'ioredis'],
    url,
    target: target(url, 6379),
    viaProxy: (port) => replaceHost(url, port),
    async prepare() {
      const id = runId()
      return { namespace: `webhook-inbox-proofs:${id}:`, records: `webhook-inbox-proofs:${id}-enqueued` }
    },
    async enqueued(ns) {
      const entries = (await client.sendCommand(['LRANGE', ns.records, '0', '-1'])) as string[]
      return entries.map((entry) => {
        const [id = '', worker = ''] = entry.split(' ')
        return { id, worker }
      })
    },
    async done(ns, ids) {
      const found = new Set<string>()
      for (let start = 0; start < ids.length; start += 500) {
        const batch = ids.slice(start, start + 500)
        // The store's documented layout: `prefix{dedupe}:key`, the value `d` once the id is done.
        const values = (await client.sendCommand([
          'MGET',
          ...batch.map((id) => `${ns.namespace}{dedupe}:${dedupeKey(id)}`),
        ])) as (string | null)[]
        values.forEach((value, index) => {
          if (value === 'd') found.add(batch[index]!)
        })
      }
      return found
    },
    async cleanup(ns) {
      let cursor = '0'
      do {
        const [next, keys] = (await client.sendCommand([
          'SCAN',
          cursor,
          'MATCH',
          `${ns.namespace}*`,
          'COUNT',
          '1000',
        ])) as [string, string[]]
        cursor = next
        if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
      } while (cursor !== '0')
      await client.sendCommand(['DEL', ns.records])
    },
    async close() {
      client.destroy()
    },
  }
}

export async function postgresDatabase(): Promise<ProofDatabase> {
  const url = databaseUrl()
  const db = new pg.Pool({ connectionString: url, max: 2 })
  db.on('error', () => {})
  return {
    name: 'PostgreSQL',
    backends: ['pg', 'postgres.js'],
    url,
    target: target(url, 5432),
    viaProxy: (port) => replaceHost(url, port),
    async prepare() {
      const id = runId()
      const ns = { namespace: `proofs_inbox_${id}`, records: `proofs_enqueued_${id}` }
      // The store's documented schema, created up front like a migration would; workers run with `createTable: false`.
      await db.query(postgresSchema({ table: ns.namespace }))
      await db.query(
        `CREATE TABLE ${ns.records} (seq bigserial PRIMARY KEY, event_id text NOT NULL, worker text NOT NULL)`,
      )
      return ns
    },
    async enqueued(ns) {
      const { rows } = await db.query<Enqueued>(`SELECT event_id AS id, worker FROM ${ns.records} ORDER BY seq`)
      return rows
    },
    async done(ns, ids) {
      const { rows } = await db.query<{ key: string }>(
        // The documented schema: `token` is NULL once the id is done.
        `SELECT key FROM ${ns.namespace} WHERE key = ANY($1::text[]) AND token IS NULL AND expires_at > now()`,
        [ids.map(dedupeKey)],
      )
      return new Set(rows.map((row) => row.key.slice('stripe:'.length)))
    },
    async cleanup(ns) {
      await db.query(`DROP TABLE IF EXISTS ${ns.namespace}`)
      await db.query(`DROP TABLE IF EXISTS ${ns.records}`)
    },
    async close() {
      await db.end()
    },
  }
}

export async function sqliteDatabase(): Promise<ProofDatabase> {
  const { default: Database } = await import('better-sqlite3')
  const file = join(tmpdir(), `webhook-inbox-proofs-${runId()}.db`)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  return {
    name: 'SQLite',
    backends: ['better-sqlite3', 'better-sqlite3'],
    url: file,
    async prepare() {
      const id = runId()
      const ns = { namespace: `proofs_inbox_${id}`, records: `proofs_enqueued_${id}` }
      // sqliteStore creates its table when it is made; make it here once, before the workers race.
      sqliteStore({ database: db, table: ns.namespace })
      db.exec(
        `CREATE TABLE ${ns.records} (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, worker TEXT NOT NULL)`,
      )
      return ns
    },
    async enqueued(ns) {
      return db.prepare(`SELECT event_id AS id, worker FROM ${ns.records} ORDER BY seq`).all() as Enqueued[]
    },
    async done(ns, ids) {
      // The store's schema: `token` is NULL once the id is done; times are epoch milliseconds.
      const rows = db
        .prepare(`SELECT key FROM ${ns.namespace} WHERE token IS NULL AND expires_at > ?`)
        .all(Date.now()) as { key: string }[]
      const wanted = new Set(ids.map(dedupeKey))
      return new Set(rows.filter((row) => wanted.has(row.key)).map((row) => row.key.slice('stripe:'.length)))
    },
    async cleanup(ns) {
      db.exec(`DROP TABLE IF EXISTS ${ns.namespace}; DROP TABLE IF EXISTS ${ns.records}`)
    },
    async close() {
      db.close()
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
    },
  }
}
