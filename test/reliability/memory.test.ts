// Memory: a stream of distinct ids through memoryStore({ maxEntries }) stays bounded, in-flight
// claims are never evicted, and early evictions of completed ids are counted.
import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/index.js'
import { FULL, record, runs } from './scale.js'

const IDS = runs(200_000, 1_000_000)
const MAX_ENTRIES = runs(20_000, 100_000)
const IN_FLIGHT = 500
const HOUR = 3_600_000

/** CPU microseconds for `count` claims + completes of new ids into a store already full of completed ids. */
async function fullStoreCost(maxEntries: number, count: number): Promise<number> {
  const store = memoryStore({ maxEntries, onWarning: () => {} })
  for (let i = 0; i < maxEntries; i++) {
    const claim = await store.claim([`fill:${i}`], { leaseMs: HOUR })
    if (claim.state === 'claimed') await store.complete([`fill:${i}`], claim.token, { retentionMs: 24 * HOUR })
  }
  const start = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const claim = await store.claim([`new:${i}`], { leaseMs: HOUR })
    if (claim.state === 'claimed') await store.complete([`new:${i}`], claim.token, { retentionMs: 24 * HOUR })
  }
  const used = process.cpuUsage(start)
  return used.user + used.system
}

describe('memoryStore cost when full', () => {
  it('a claim into a full store costs about the same at 5,000 and 50,000 entries (CPU time ratio, one run)', async () => {
    await fullStoreCost(5_000, 2_000)
    const small = await fullStoreCost(5_000, 4_000)
    const large = await fullStoreCost(50_000, 4_000)
    record('memory store cost when full', {
      smallMicros: small,
      largeMicros: large,
      ratio: Number((large / small).toFixed(2)),
    })
    // A scan of every entry per claim makes this 10x; a constant-time eviction keeps it near 1.
    expect(large / small).toBeLessThan(3)
  })
})

describe('memoryStore under a stream of distinct ids', () => {
  it(`${IDS.toLocaleString('en')} ids through maxEntries ${MAX_ENTRIES.toLocaleString('en')}`, {
    timeout: FULL ? 600_000 : 60_000,
  }, async () => {
    const warnings: string[] = []
    const store = memoryStore({ maxEntries: MAX_ENTRIES, onWarning: (m) => warnings.push(m) })
    const held: { key: string; token: string }[] = []
    let peakRss = 0
    let rssAtFull = 0
    let maxSize = 0
    let refused = 0
    for (let i = 0; i < IDS; i++) {
      const keys = [`reliability:evt_${i}`]
      let claim: Awaited<ReturnType<typeof store.claim>>
      try {
        claim = await store.claim(keys, { leaseMs: 24 * HOUR })
      } catch {
        refused++
        continue
      }
      expect(claim.state).toBe('claimed')
      if (claim.state !== 'claimed') continue
      // Spread the in-flight claims over the whole run: a few early ones must survive to the end.
      if (held.length < IN_FLIGHT && i % Math.floor(IDS / IN_FLIGHT) === 0)
        held.push({ key: keys[0] as string, token: claim.token })
      else await store.complete(keys, claim.token, { retentionMs: 24 * HOUR })
      if (i % 10_000 === 0) {
        const rss = process.memoryUsage().rss
        peakRss = Math.max(peakRss, rss)
        if (i === MAX_ENTRIES) rssAtFull = rss
        maxSize = Math.max(maxSize, store.size)
      }
    }
    maxSize = Math.max(maxSize, store.size)
    for (const { key } of held) expect((await store.claim([key], { leaseMs: 1000 })).state).toBe('in-flight')
    for (const { key, token } of held) expect(await store.complete([key], token, { retentionMs: HOUR })).toBe(true)
    record('memory', {
      ids: IDS,
      maxEntries: MAX_ENTRIES,
      maxSize,
      inFlightKept: held.length,
      evictedBeforeRetention: store.evictedBeforeRetention,
      refused,
      peakRssMiB: Math.round(peakRss / 1_048_576),
      rssAtFullMiB: Math.round(rssAtFull / 1_048_576),
      warnings: warnings.length,
    })
    expect(maxSize).toBeLessThanOrEqual(MAX_ENTRIES)
    expect(refused).toBe(0)
    expect(store.evictedBeforeRetention).toBe(IDS - MAX_ENTRIES)
    expect(warnings.length).toBe(1)
    // Bounded: the process grows by no more than a fraction of what holding every id would take.
    expect(peakRss - rssAtFull).toBeLessThan(256 * 1_048_576)
  })
})
