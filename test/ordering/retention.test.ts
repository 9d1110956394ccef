import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventRouter, isWebhookError, type WebhookEvent } from '../../src/index.js'
import {
  createOrderingGuard,
  memoryOrderingStore,
  type OrderingStore,
  postgresOrderingStore,
  redisOrderingStore,
  sqliteOrderingStore,
} from '../../src/ordering/index.js'
import { databaseUrl, postgresProbe, redisUrl, requireService, tcpProbe } from '../helpers/services.js'

// Retention of the ordering stores, on a fake clock where the store takes one (memory, SQLite,
// PostgreSQL): a version guards its resource for retentionMs after the last event that recorded
// it; after that the resource is forgotten and its next event, however old, is taken as new.
// Redis expires keys by its own clock, so there the key's TTL is read instead.

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => postgresProbe())

const run = globalThis.crypto.randomUUID().slice(0, 8)
const RETENTION = 60_000
const START = 1_733_000_000_000

type PrunableStore = OrderingStore & { prune: NonNullable<OrderingStore['prune']> }
interface Clock {
  now: () => number
  set(time: number): void
}

function fakeClock(): Clock {
  let time = START
  return { now: () => time, set: (next) => (time = next) }
}

let seq = 0
function stripeEvent(resource: string, version: number): WebhookEvent {
  const payload = { id: `evt_${++seq}`, type: 'customer.updated', created: version, data: { object: { id: resource } } }
  return {
    provider: 'stripe',
    id: payload.id,
    type: payload.type,
    payload,
    body: JSON.stringify(payload),
    headers: {},
    receivedAt: new Date(0).toISOString(),
  }
}

function retentionSuite(name: string, create: (clock: Clock) => PrunableStore) {
  describe(name, () => {
    const clock = fakeClock()
    let store: PrunableStore
    beforeAll(() => {
      store = create(clock)
    })
    let n = 0
    const key = (label: string) => `stripe:${run}_${name}_${label}_${++n}`

    it('an older event is stale until retentionMs after the recording, then taken as new', async () => {
      const resource = key('expiry')
      clock.set(START)
      expect(await store.advance(resource, 10)).toEqual({ stale: false, current: 10 })
      clock.set(START + RETENTION - 1)
      expect(await store.advance(resource, 5)).toEqual({ stale: true, current: 10 })
      clock.set(START + RETENTION)
      expect(await store.advance(resource, 5)).toEqual({ stale: false, current: 5 })
      // The old event is now what guards the resource, for a full retention again.
      expect(await store.advance(resource, 4)).toEqual({ stale: true, current: 5 })
    })

    it('a stale event does not extend the retention; an equal version does', async () => {
      const stale = key('stale')
      clock.set(START)
      await store.advance(stale, 10)
      clock.set(START + RETENTION - 10)
      expect((await store.advance(stale, 9)).stale).toBe(true)
      clock.set(START + RETENTION)
      expect(await store.advance(stale, 9)).toEqual({ stale: false, current: 9 })

      const equal = key('equal')
      clock.set(START)
      await store.advance(equal, 10)
      clock.set(START + RETENTION - 10)
      expect((await store.advance(equal, 10)).stale).toBe(false)
      clock.set(START + 2 * RETENTION - 11)
      expect(await store.advance(equal, 9)).toEqual({ stale: true, current: 10 })
    })

    it('prune deletes the records past olderThanMs in batches, never one within the retention', async () => {
      const old = [key('old'), key('old'), key('old'), key('old'), key('old')]
      const young = key('young')
      clock.set(START + 10 * RETENTION)
      for (const resource of old) await store.advance(resource, 100)
      clock.set(START + 11 * RETENTION - 1)
      await store.advance(young, 100)
      clock.set(START + 11 * RETENTION)
      // Everything recorded earlier in this suite is past its retention too.
      const deleted = await store.prune({ batchSize: 2 })
      expect(deleted).toBeGreaterThanOrEqual(old.length)
      expect(await store.prune()).toBe(0)
      // The young record still guards; the pruned ones take any version as new.
      expect(await store.advance(young, 1)).toEqual({ stale: true, current: 100 })
      for (const resource of old) expect(await store.advance(resource, 1)).toEqual({ stale: false, current: 1 })
      clock.set(START + 12 * RETENTION + RETENTION / 2)
      expect(await store.prune({ olderThanMs: 2 * RETENTION })).toBe(0)
      expect(await store.prune({ olderThanMs: RETENTION })).toBe(old.length + 1)

      const error = await store.prune({ olderThanMs: RETENTION - 1 }).catch((e: unknown) => e)
      expect(isWebhookError(error) && error.code).toBe('invalid_config')
      expect(String((error as Error).message)).toMatch(/at least the store's retentionMs/)
    })

    it('property: within the retention, any arrival order ends with the state of the newest event', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.integer({ min: 0, max: Math.floor(RETENTION / 10) }), { minLength: 8, maxLength: 8 }),
          fc.constantFrom<'mark' | 'skip'>('mark', 'skip'),
          async (versions, gaps, stale) => {
            const resource = `cus_${run}_${name}_p${++n}`
            let time = START + 20 * RETENTION + n * 10 * RETENTION
            let state: number | undefined
            const router = createEventRouter({ unrouted: 'fail', ordering: createOrderingGuard({ store, stale }) }).on(
              'customer.updated',
              (event) => {
                if (!event.stale) state = (event.payload as { created: number }).created
              },
            )
            // Eight gaps of at most a tenth of the retention: every arrival is within it.
            for (const [i, version] of versions.entries()) {
              time += gaps[i] ?? 0
              clock.set(time)
              await router.handle(stripeEvent(resource, version))
            }
            expect(state).toBe(Math.max(...versions))
          },
        ),
        { numRuns: 40, seed: 20261203 },
      )
    })
  })
}

retentionSuite('memoryOrderingStore', (clock) => memoryOrderingStore({ retentionMs: RETENTION, now: clock.now }))

const sqliteDir = mkdtempSync(join(tmpdir(), 'wi-ordering-retention-'))
const sqliteDatabase = new Database(join(sqliteDir, 'ordering.db'))
afterAll(() => {
  sqliteDatabase.close()
  rmSync(sqliteDir, { recursive: true, force: true })
})
retentionSuite('sqliteOrderingStore', (clock) =>
  sqliteOrderingStore({ database: sqliteDatabase, retentionMs: RETENTION, now: clock.now }),
)

describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 4 })
  const table = `wi_ordering_retention_${run}`
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })
  retentionSuite('postgresOrderingStore', (clock) =>
    postgresOrderingStore({
      query: (text, params) => pool.query(text, params),
      table,
      retentionMs: RETENTION,
      now: clock.now,
    }),
  )
})

describe('memoryOrderingStore bounds', () => {
  it('holds at most maxEntries; makes room from expired records only, else refuses a new resource', async () => {
    const clock = fakeClock()
    const store = memoryOrderingStore({ retentionMs: RETENTION, maxEntries: 3, now: clock.now })
    for (const resource of ['a', 'b', 'c']) await store.advance(resource, 10)
    const refused = await store.advance('d', 10).catch((e: unknown) => e)
    expect(isWebhookError(refused) && refused.code).toBe('store_unavailable')
    expect(String((refused as Error).message)).toMatch(/maxEntries 3/)
    // A full store still advances and guards the resources it holds.
    clock.set(START + 1)
    expect(await store.advance('a', 11)).toEqual({ stale: false, current: 11 })
    expect(await store.advance('b', 1)).toEqual({ stale: true, current: 10 })
    expect(store.size).toBe(3)
    // b and c expire first ('a' was recorded again later): room for two new resources.
    clock.set(START + RETENTION)
    expect(await store.advance('d', 10)).toEqual({ stale: false, current: 10 })
    expect(await store.advance('e', 10)).toEqual({ stale: false, current: 10 })
    expect(store.size).toBe(3)
    // Full of live records again (a, d, e): b, forgotten, is a new resource and is refused.
    const again = await store.advance('b', 1).catch((e: unknown) => e)
    expect(isWebhookError(again) && again.code).toBe('store_unavailable')
    expect(await store.advance('a', 1)).toEqual({ stale: true, current: 11 })
    expect(await store.prune()).toBe(0)
    clock.set(START + 2 * RETENTION)
    expect(await store.prune()).toBe(3)
    expect(store.size).toBe(0)
    expect(() => memoryOrderingStore({ maxEntries: 0 })).toThrow(/maxEntries/)
    expect(() => memoryOrderingStore({ retentionMs: -1 })).toThrow(/retentionMs/)
  })
})

describe.skipIf(!hasRedis)('on Redis', () => {
  const client = createClient({ url: redisUrl() })
  const prefix = `webhook-inbox-test:order-retention:${run}:`
  beforeAll(async () => {
    await client.connect()
  })
  afterAll(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys)
    }
    await client.quit()
  })

  it('expires a version retentionMs after the last event that recorded it, not after a stale one', async () => {
    const store = redisOrderingStore({
      sendCommand: (...args) => client.sendCommand(args),
      prefix,
      retentionMs: RETENTION,
    })
    await store.advance('r1', 10)
    const [key] = await client.keys(`${prefix}*`)
    expect(key).toBeDefined()
    const ttl = await client.pTTL(key as string)
    expect(ttl).toBeGreaterThan(RETENTION - 5_000)
    expect(ttl).toBeLessThanOrEqual(RETENTION)
    // Age the key by hand; a stale event leaves its expiry alone, an equal one renews it.
    await client.pExpire(key as string, 5_000)
    expect((await store.advance('r1', 9)).stale).toBe(true)
    expect(await client.pTTL(key as string)).toBeLessThanOrEqual(5_000)
    expect((await store.advance('r1', 10)).stale).toBe(false)
    expect(await client.pTTL(key as string)).toBeGreaterThan(RETENTION - 5_000)
    // Once Redis has dropped the key, the resource's next event is taken as new.
    await client.del(key as string)
    expect(await store.advance('r1', 1)).toEqual({ stale: false, current: 1 })
    expect(store.prune).toBeUndefined()
  })
})
