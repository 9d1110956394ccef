import { describe, expect, it } from 'vitest'
import { isWebhookError, memoryStore } from '../../src/index.js'

describe('memoryStore bounds and clock', () => {
  it('evicts the oldest completed entries past maxEntries, never an in-flight claim', async () => {
    const now = 0
    const store = memoryStore({ maxEntries: 3, now: () => now })
    const a = await store.claim(['a'], { leaseMs: 1000 })
    const b = await store.claim(['b'], { leaseMs: 1000 })
    const c = await store.claim(['c'], { leaseMs: 1000 })
    if (a.state !== 'claimed' || b.state !== 'claimed' || c.state !== 'claimed') throw new Error('expected claims')
    await store.complete(['b'], b.token, { retentionMs: 60_000 })
    await store.complete(['c'], c.token, { retentionMs: 60_000 })
    // Full: d evicts the oldest completed entry (b), not the in-flight a.
    expect((await store.claim(['d'], { leaseMs: 1000 })).state).toBe('claimed')
    expect(store.size).toBe(3)
    expect((await store.claim(['a'], { leaseMs: 1000 })).state).toBe('in-flight')
    expect((await store.claim(['c'], { leaseMs: 1000 })).state).toBe('duplicate')
    expect((await store.claim(['b'], { leaseMs: 1000 })).state).toBe('claimed') // forgotten, so claimable
  })

  it('refuses a claim with store_unavailable when every entry is an in-flight claim', async () => {
    const store = memoryStore({ maxEntries: 2, now: () => 0 })
    await store.claim(['a'], { leaseMs: 1000 })
    await store.claim(['b'], { leaseMs: 1000 })
    let thrown: unknown
    try {
      await store.claim(['c'], { leaseMs: 1000 })
    } catch (error) {
      thrown = error
    }
    expect(isWebhookError(thrown) && thrown.code).toBe('store_unavailable')
    expect(store.size).toBe(2)
  })

  it('counts expired leases as free room', async () => {
    let now = 0
    const store = memoryStore({ maxEntries: 2, now: () => now })
    await store.claim(['a'], { leaseMs: 100 })
    await store.claim(['b'], { leaseMs: 100 })
    now = 150
    expect((await store.claim(['c'], { leaseMs: 100 })).state).toBe('claimed')
  })

  it('keeps no timer that holds the process open', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const store = memoryStore()
    const claim = await store.claim(['x'], { leaseMs: 60_000 })
    if (claim.state === 'claimed') await store.complete(['x'], claim.token, { retentionMs: 3_600_000 })
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before)
  })
})
