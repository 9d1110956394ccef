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

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => postgresProbe())

const run = globalThis.crypto.randomUUID().slice(0, 8)
const redisPrefix = `webhook-inbox-test:order:${run}:`
const pgTable = `wi_ordering_test_${run}`

let seq = 0
/** A Stripe-shaped event: the default rule reads `data.object.id` and `created`. */
function stripeEvent(resource: string, version: number): WebhookEvent {
  const payload = {
    id: `evt_${++seq}`,
    type: 'customer.updated',
    created: version,
    data: { object: { id: resource, state: `v${version}` } },
  }
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

/** Per resource: 1–6 events with distinct versions, all interleaved in a random order. */
function sequences() {
  return fc
    .array(fc.uniqueArray(fc.integer({ min: 1, max: 2_000_000_000 }), { minLength: 1, maxLength: 6 }), {
      minLength: 1,
      maxLength: 4,
    })
    .chain((perResource) => {
      const events = perResource.flatMap((versions, r) => versions.map((version) => ({ r, version })))
      return fc.tuple(fc.constant(perResource), fc.shuffledSubarray(events, { minLength: events.length }))
    })
}

function orderingSuite(name: string, create: () => OrderingStore, numRuns: number) {
  describe(name, () => {
    let store: OrderingStore
    beforeAll(() => {
      store = create()
    })

    it('keeps the highest version; an equal one is not stale; an older one is', async () => {
      const key = `stripe:basic_${run}_${name}`
      expect(await store.advance(key, 10)).toEqual({ stale: false, current: 10 })
      expect(await store.advance(key, 10)).toEqual({ stale: false, current: 10 })
      expect(await store.advance(key, 9.5)).toEqual({ stale: true, current: 10 })
      expect(await store.advance(key, 1_733_000_000_123.456)).toEqual({ stale: false, current: 1_733_000_000_123.456 })
      expect(await store.advance(key, 1_733_000_000_123.455)).toMatchObject({ stale: true })
      // Hostile resource names are only data.
      for (const hostile of ['*', "'; DROP TABLE x; --", 'a\0b', 'x'.repeat(500), '\uD800']) {
        expect(await store.advance(`stripe:${run}:${hostile}`, 1)).toEqual({ stale: false, current: 1 })
        expect(await store.advance(`stripe:${run}:${hostile}`, 0)).toEqual({ stale: true, current: 1 })
      }
    })

    it("property: any arrival order of each resource's events ends with the state of its newest event", async () => {
      await fc.assert(
        fc.asyncProperty(
          sequences(),
          fc.constantFrom<'mark' | 'skip'>('mark', 'skip'),
          async ([perResource, arrivals], stale) => {
            const id = `${++seq}`
            const state = new Map<string, string>()
            const router = createEventRouter({
              unrouted: 'fail',
              ordering: createOrderingGuard({ store, stale }),
            }).on('customer.updated', (event) => {
              if (event.stale) return
              const object = (event.payload as { data: { object: { id: string; state: string } } }).data.object
              state.set(object.id, object.state)
            })
            for (const { r, version } of arrivals) await router.handle(stripeEvent(`cus_${run}_${id}_${r}`, version))
            perResource.forEach((versions, r) => {
              expect(state.get(`cus_${run}_${id}_${r}`)).toBe(`v${Math.max(...versions)}`)
            })
          },
        ),
        { numRuns, seed: 20261201 },
      )
    })

    it('property: concurrent arrivals never mark the newest event stale, nor an event with no newer one', async () => {
      await fc.assert(
        fc.asyncProperty(sequences(), async ([perResource, arrivals]) => {
          const id = `${++seq}`
          const guard = createOrderingGuard({ store })
          const results = await Promise.all(
            arrivals.map(async ({ r, version }) => ({
              r,
              version,
              stale: (await guard.check(stripeEvent(`cus_${run}_c${id}_${r}`, version))).stale,
            })),
          )
          for (const { r, version, stale } of results) {
            const newest = Math.max(...(perResource[r] ?? []))
            if (version === newest) expect(stale).toBe(false)
          }
          // What is recorded is the newest version of each resource.
          for (const [r, versions] of perResource.entries()) {
            expect((await store.advance(`stripe:cus_${run}_c${id}_${r}`, 0)).current).toBe(Math.max(...versions))
          }
        }),
        { numRuns, seed: 20261202 },
      )
    })
  })
}

orderingSuite('memoryOrderingStore', () => memoryOrderingStore(), 200)

const sqliteDir = mkdtempSync(join(tmpdir(), 'wi-ordering-'))
let sqliteDatabase: Database.Database | undefined
afterAll(() => {
  sqliteDatabase?.close()
  rmSync(sqliteDir, { recursive: true, force: true })
})
orderingSuite(
  'sqliteOrderingStore',
  () => {
    sqliteDatabase = new Database(join(sqliteDir, 'ordering.db'))
    return sqliteOrderingStore({ database: sqliteDatabase })
  },
  60,
)

describe.skipIf(!hasRedis)('on Redis', () => {
  // Four connections, taken in turn: concurrent arrivals reach the server on different sockets.
  const clients = Array.from({ length: 4 }, () => createClient({ url: redisUrl() }))
  const client = clients[0] as (typeof clients)[number]
  let turn = 0
  beforeAll(async () => {
    await Promise.all(clients.map((c) => c.connect()))
  })
  afterAll(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys)
    }
    await Promise.all(clients.map((c) => c.quit()))
  })
  orderingSuite(
    'redisOrderingStore',
    () =>
      redisOrderingStore({
        sendCommand: (...args) => (clients[turn++ % clients.length] as typeof client).sendCommand(args),
        prefix: redisPrefix,
      }),
    40,
  )

  it('falls back to EVAL after NOSCRIPT and reports an unreachable server as store_unavailable', async () => {
    let flushed = false
    const store = redisOrderingStore({
      prefix: redisPrefix,
      sendCommand: async (...args) => {
        if (args[0] === 'EVALSHA' && !flushed) {
          flushed = true
          throw new Error('NOSCRIPT No matching script.')
        }
        return client.sendCommand(args)
      },
    })
    expect(await store.advance(`noscript_${run}`, 3)).toEqual({ stale: false, current: 3 })
    const down = redisOrderingStore({ sendCommand: async () => Promise.reject(new Error('ECONNREFUSED')) })
    const error = await down.advance('x', 1).catch((e: unknown) => e)
    expect(isWebhookError(error) && error.code).toBe('store_unavailable')
  })
})

describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 8 })
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${pgTable}"`)
    await pool.end()
  })
  // A pool of 8 connections: concurrent arrivals really run at once, each one statement.
  orderingSuite(
    'postgresOrderingStore',
    () => postgresOrderingStore({ query: (text, params) => pool.query(text, params), table: pgTable }),
    40,
  )
})

describe('createOrderingGuard', () => {
  it('lets an event through unguarded when its rule finds no resource or version', async () => {
    const store = memoryOrderingStore()
    const guard = createOrderingGuard({ store })
    const unknownProvider = { ...stripeEvent('cus_x', 1), provider: 'acme' }
    expect(await guard.check(unknownProvider)).toEqual({ stale: false })
    const noVersion = stripeEvent('cus_x', 1)
    ;(noVersion.payload as { created?: unknown }).created = '5'
    expect(await guard.check(noVersion)).toEqual({ stale: false })
    expect(await guard.check(stripeEvent('cus_x', 2))).toEqual({ stale: false, resource: 'cus_x', version: 2 })
  })

  it('takes a custom resource and version, both or neither', async () => {
    const guard = createOrderingGuard<WebhookEvent>({
      store: memoryOrderingStore(),
      resource: (event) => (event.payload as { sku: string }).sku,
      version: (event) => (event.payload as { rev: number }).rev,
    })
    const make = (rev: number) => ({ ...stripeEvent('-', 0), provider: 'acme', payload: { sku: 'A1', rev } })
    expect((await guard.check(make(2))).stale).toBe(false)
    expect((await guard.check(make(1))).stale).toBe(true)
    expect(() => createOrderingGuard({ store: memoryOrderingStore(), resource: () => 'x' })).toThrow(/both/)
    expect(() => createOrderingGuard({} as never)).toThrow(/store/)
    expect(() => createOrderingGuard({ store: memoryOrderingStore(), stale: 'drop' as never })).toThrow(/stale/)
  })

  it('keys resources by provider, so two providers never share a version', async () => {
    const store = memoryOrderingStore()
    const guard = createOrderingGuard({ store })
    await guard.check(stripeEvent('same', 100))
    const clerk: WebhookEvent = {
      ...stripeEvent('-', 0),
      provider: 'clerk',
      payload: { data: { id: 'same', updated_at: 5 } },
    }
    expect((await guard.check(clerk)).stale).toBe(false)
  })
})
