// Faults over real Redis and PostgreSQL: enqueue fails 20 % of the time, the store drops 5 % of
// calls, deliveries repeat, race and arrive out of order. Nothing lost, nothing processed twice,
// and no answer that makes the provider stop before the event is queued.
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import type { DedupeStore } from '../../src/index.js'
import { postgresStore } from '../../src/stores/postgres.js'
import { redisStore } from '../../src/stores/redis.js'
import { databaseUrl, redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { runFaults } from './faults.js'
import { type ProcessingMode, runInboxFaults, type SimulatedProvider } from './inbox-faults.js'
import { PRESETS, type PresetCase } from './presets.js'
import { FULL, record, runs, SEED } from './scale.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))
const EVENTS = runs(600, 10_000)
// Stripe retries every error; Sanity treats a 4xx as final, so an in-flight 409 would lose the event.
const CASES = ['stripe', 'sanity'].map((name) => PRESETS.find((c) => c.name === name) as PresetCase)
const run = `${process.pid}_${Date.now().toString(36)}`
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function check(backend: string, preset: PresetCase, store: DedupeStore, seed: number) {
  const report = await runFaults({
    preset,
    store,
    events: EVENTS,
    seed,
    enqueueFailure: 0.2,
    storeDrop: 0.05,
    concurrency: 16,
  })
  record('faults', { backend, ...report, violations: report.violations.length })
  expect(report.violations).toEqual([])
  expect(report.lost).toBe(0)
  expect(report.processedTwice).toBe(0)
  expect(report.enqueueFailures).toBeGreaterThan(0)
  expect(report.storeDrops).toBeGreaterThan(0)
}

describe.skipIf(!hasRedis)('faults over Redis', () => {
  for (const [index, preset] of CASES.entries()) {
    it(preset.name, { timeout: FULL ? 1_800_000 : 90_000 }, async () => {
      const client = createClient({ url: redisUrl() })
      client.on('error', () => {})
      await client.connect()
      cleanups.push(() => client.quit())
      const prefix = `webhook-inbox-reliability:${run}:${index}:`
      cleanups.push(async () => {
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          if (keys.length > 0) await client.del(keys)
        }
      })
      const store = redisStore({ sendCommand: (...args) => client.sendCommand(args), prefix })
      await check('Redis', preset, store, SEED + index)
    })
  }
})

describe.skipIf(!hasPostgres)('faults over PostgreSQL', () => {
  for (const [index, preset] of CASES.entries()) {
    it(preset.name, { timeout: FULL ? 1_800_000 : 90_000 }, async () => {
      const pool = new pg.Pool({ connectionString: databaseUrl(), max: 8 })
      const table = `reliability_${run}_${index}`
      cleanups.push(async () => {
        await pool.query(`DROP TABLE IF EXISTS ${table}`)
        await pool.end()
      })
      const store = postgresStore({ query: (text, params) => pool.query(text, params as unknown[]), table })
      await check('PostgreSQL', preset, store, SEED + 10 + index)
    })
  }
})

// The PostgreSQL inbox and its worker, with the CLI's simulator as the fault engine.
const INBOX_EVENTS = runs(200, 10_000)
// Linear exactly-once (4xx final, 3 retries: the strict case for the answers) and Stripe
// at-least-once; Stripe exactly-once runs in the SIGKILL runs (kill.test.ts).
const INBOX_CASES: { provider: SimulatedProvider; mode: ProcessingMode }[] = [
  { provider: 'linear', mode: 'exactly-once' },
  { provider: 'stripe', mode: 'at-least-once' },
]

describe.skipIf(!hasPostgres)('faults over the PostgreSQL inbox and its worker (simulator over HTTP)', () => {
  for (const [index, { provider, mode }] of INBOX_CASES.entries()) {
    it(`${provider}, ${mode}`, { timeout: FULL ? 1_800_000 : 120_000 }, async () => {
      const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 })
      pool.on('error', () => {})
      const table = `reliability_inbox_${run}_${index}`
      cleanups.push(async () => {
        await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_keys, ${table}_effects`)
        await pool.end()
      })
      const report = await runInboxFaults({
        pool,
        table,
        provider,
        mode,
        events: INBOX_EVENTS,
        seed: SEED + 20 + index,
        storeDrop: 0.05,
        processFailure: 0.2,
      })
      record('inbox faults', { backend: 'PostgreSQL inbox', ...report })
      expect(report.violationSamples).toBe('')
      expect(report.lost).toBe(0)
      expect(report.unprocessed).toBe(0)
      expect(report.processedTwice).toBe(0)
      expect(report.done).toBe(report.stored)
      // Events the provider gave up on after every answer asked for a retry: the provider's own
      // budget (Linear: 3 retries) spent on injected faults; none is expected at these rates.
      expect(report.providerGaveUp).toBeLessThanOrEqual(Math.ceil(INBOX_EVENTS / 2000))
      expect(report.stored + report.providerGaveUp).toBe(report.events)
      expect(report.storeDrops).toBeGreaterThan(0)
      expect(report.processFailures).toBeGreaterThan(0)
      expect(report.duplicatesAnswered).toBeGreaterThan(0)
    })
  }
})
