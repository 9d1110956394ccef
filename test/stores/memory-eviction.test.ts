// Forgetting a completed id before its retention ended is a decision the user sees: a warning
// once, a counter, and a strict mode that answers 503 instead.
import { describe, expect, it } from 'vitest'
import { createWebhookHandler, isWebhookError, memoryStore } from '../../src/index.js'
import { defineProvider } from '../../src/providers/index.js'

const long = { leaseMs: 60_000 }
const retain = { retentionMs: 3_600_000 }

async function completed(store: ReturnType<typeof memoryStore>, key: string) {
  const claim = await store.claim([key], long)
  if (claim.state !== 'claimed') throw new Error(`expected a claim of ${key}`)
  await store.complete([key], claim.token, retain)
}

describe('memoryStore when full of retained ids', () => {
  it('evicts the oldest, counts each eviction and warns once', async () => {
    const warnings: string[] = []
    const store = memoryStore({ maxEntries: 3, onWarning: (m) => warnings.push(m) })
    for (const key of ['a', 'b', 'c']) await completed(store, key)
    expect(store.evictedBeforeRetention).toBe(0)
    await completed(store, 'd')
    await completed(store, 'e')
    expect(store.evictedBeforeRetention).toBe(2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/maxEntries 3.*whenFull: 'refuse'/)
    // The cost of the eviction: the oldest id is processed again.
    expect((await store.claim(['a'], long)).state).toBe('claimed')
    expect((await store.claim(['e'], long)).state).toBe('duplicate')
  })

  it('evicts in completion order across many evictions, skipping claims in flight and meeting ids completed later', async () => {
    const store = memoryStore({ maxEntries: 4, onWarning: () => {} })
    const slow = await store.claim(['slow'], long)
    if (slow.state !== 'claimed') throw new Error('expected a claim')
    for (const key of ['b', 'c', 'd']) await completed(store, key)
    await completed(store, 'e') // evicts b: slow is in flight
    await store.complete(['slow'], slow.token, retain) // now the newest completed id
    await completed(store, 'f') // evicts c
    await completed(store, 'g') // evicts d
    await completed(store, 'h') // evicts e
    await completed(store, 'i') // evicts slow
    expect(store.evictedBeforeRetention).toBe(5)
    const states = async (keys: string[]) =>
      Promise.all(keys.map(async (key) => (await store.claim([key], long)).state))
    expect(await states(['f', 'g', 'h', 'i'])).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate'])
    const fresh = memoryStore({ maxEntries: 4, onWarning: () => {} })
    for (const key of ['b', 'c', 'd', 'e']) await completed(fresh, key)
    await fresh.close?.()
    await completed(fresh, 'x') // a closed and refilled store starts its search again
    for (const key of ['y', 'z', 'w', 'v']) await completed(fresh, key) // evicts x
    expect((await fresh.claim(['x'], long)).state).toBe('claimed')
  })

  it('expired entries make room without counting as evictions', async () => {
    let now = 0
    const warnings: string[] = []
    const store = memoryStore({ maxEntries: 2, now: () => now, onWarning: (m) => warnings.push(m) })
    for (const key of ['a', 'b']) await completed(store, key)
    now += retain.retentionMs + 1
    await completed(store, 'c')
    await completed(store, 'd')
    expect(store.evictedBeforeRetention).toBe(0)
    expect(warnings).toEqual([])
  })

  it("whenFull: 'refuse' keeps every retained id and refuses the new claim with store_unavailable", async () => {
    const warnings: string[] = []
    const store = memoryStore({ maxEntries: 2, whenFull: 'refuse', onWarning: (m) => warnings.push(m) })
    for (const key of ['a', 'b']) await completed(store, key)
    const error = await store.claim(['c'], long).catch((e: unknown) => e)
    expect(isWebhookError(error) && error.code).toBe('store_unavailable')
    expect((await store.claim(['a'], long)).state).toBe('duplicate')
    expect(store.evictedBeforeRetention).toBe(0)
    expect(warnings).toEqual([])
  })

  it('a claim of two keys needs room for both', async () => {
    const store = memoryStore({ maxEntries: 3, whenFull: 'refuse' })
    await completed(store, 'a')
    await completed(store, 'b')
    await expect(store.claim(['c', 'c-sig'], long)).rejects.toThrow(/full/)
    expect((await store.claim(['c'], long)).state).toBe('claimed')
  })

  it('refuses an unknown whenFull at setup', () => {
    expect(() => memoryStore({ whenFull: 'drop' as never })).toThrow(/whenFull/)
  })
})

describe('through the handler', () => {
  const provider = defineProvider<{ id: string }>({
    name: 'unsigned-test',
    verify: async () => ({ ok: true }),
    id: (_d, payload) => payload.id,
    idSigned: true,
  })
  const delivery = (id: string) => ({
    method: 'POST',
    url: 'https://example.test/',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
  })

  it('strict mode answers 503 so the provider retries, and the retained id stays a duplicate', async () => {
    const handler = createWebhookHandler({
      provider,
      store: memoryStore({ maxEntries: 1, whenFull: 'refuse' }),
      enqueue: async () => {},
    })
    expect((await handler.handle(delivery('1'))).status).toBe(200)
    expect((await handler.handle(delivery('2'))).status).toBe(503)
    expect(JSON.parse((await handler.handle(delivery('1'))).body)).toMatchObject({ duplicate: true })
  })

  it("the default store reports its first early eviction through the handler's onWarning", async () => {
    const warnings: string[] = []
    const handler = createWebhookHandler({ provider, enqueue: async () => {}, onWarning: (m) => warnings.push(m) })
    expect(warnings).toHaveLength(1)
    for (let i = 0; i <= 10_000; i++) await handler.handle(delivery(String(i)))
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toContain('forgot a completed id before its retention ended')
    expect((handler.store as ReturnType<typeof memoryStore>).evictedBeforeRetention).toBe(1)
  })
})
