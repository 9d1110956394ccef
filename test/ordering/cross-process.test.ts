import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type OrderingStore,
  postgresOrderingStore,
  redisOrderingStore,
  sqliteOrderingStore,
} from '../../src/ordering/index.js'
import { databaseUrl, postgresProbe, redisUrl, requireService, tcpProbe } from '../helpers/services.js'

const run = globalThis.crypto.randomUUID().slice(0, 8)
const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = fileURLToPath(new URL('./fixtures/advance.ts', import.meta.url))
const exec = promisify(execFile)
const PROCESSES = 3
const RESOURCES = 20
const VERSIONS_PER_RESOURCE = 25

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => postgresProbe())

/**
 * 3 processes advance 20 resources × 25 distinct versions (seeded shuffle, split among them) at
 * once. The newest version of each resource is never stale, an event is stale only if a newer one
 * of its resource exists, and the store ends with each resource's newest version.
 */
async function prove(env: Record<string, string>, store: OrderingStore, label: string): Promise<void> {
  const [shuffled] = fc.sample(
    fc.shuffledSubarray(
      Array.from(
        { length: RESOURCES * VERSIONS_PER_RESOURCE },
        (_, i) => [`${label}:${run}:r${i % RESOURCES}`, Math.floor(i / RESOURCES) * 7 + 1] as [string, number],
      ),
      { minLength: RESOURCES * VERSIONS_PER_RESOURCE },
    ),
    { numRuns: 1, seed: 20261203 },
  ) as [[string, number][]]
  const shares = Array.from({ length: PROCESSES }, (_, p) => shuffled.filter((_, i) => i % PROCESSES === p))
  const outputs = await Promise.all(
    shares.map((pairs) =>
      exec(process.execPath, ['--import', 'tsx', fixture], {
        cwd: root,
        env: { ...process.env, ...env, ORDERING_PAIRS: JSON.stringify(pairs) },
        timeout: 60_000,
      }),
    ),
  )
  const results = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as [string, number, boolean][])
  expect(results).toHaveLength(RESOURCES * VERSIONS_PER_RESOURCE)
  const newest = new Map<string, number>()
  for (const [resource, version] of shuffled) newest.set(resource, Math.max(newest.get(resource) ?? 0, version))
  for (const [resource, version, stale] of results) {
    if (version === newest.get(resource)) expect(stale).toBe(false)
    if (stale) expect(version).toBeLessThan(newest.get(resource) as number)
  }
  for (const [resource, version] of newest) {
    expect(await store.advance(resource, 0)).toEqual({ stale: true, current: version })
  }
}

describe('ordering stores across processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wi-ordering-xp-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('SQLite: three processes share one file', async () => {
    const file = join(dir, 'ordering.db')
    const database = new Database(file)
    const store = sqliteOrderingStore({ database })
    try {
      await prove({ ORDERING_STORE: 'sqlite', ORDERING_SQLITE_FILE: file }, store, 'sqlite')
    } finally {
      database.close()
    }
  })

  it.skipIf(!hasPostgres)('PostgreSQL: three processes, four connections each', async () => {
    const table = `wi_ordering_xp_${run}`
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 })
    const store = postgresOrderingStore({ query: (text, params) => pool.query(text, params), table })
    try {
      await store.advance(`setup:${run}`, 0)
      await prove({ ORDERING_STORE: 'postgres', ORDERING_TABLE: table, DATABASE_URL: databaseUrl() }, store, 'pg')
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`)
      await pool.end()
    }
  })

  it.skipIf(!hasRedis)('Redis: three processes', async () => {
    const prefix = `webhook-inbox-test:order-xp:${run}:`
    const client = await createClient({ url: redisUrl() }).connect()
    const store = redisOrderingStore({ sendCommand: (...args) => client.sendCommand(args), prefix })
    try {
      await prove({ ORDERING_STORE: 'redis', ORDERING_PREFIX: prefix, REDIS_URL: redisUrl() }, store, 'redis')
    } finally {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.del(keys)
      }
      await client.quit()
    }
  })
})
