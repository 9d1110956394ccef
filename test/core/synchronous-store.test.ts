// memoryStore answers without I/O, so the handler calls its synchronous form instead of awaiting
// a timeout race per step. These pin down when it does (the store's own methods, no
// instrumentation) and that the answers, errors and reports are those of the promise path.
import { describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, type DedupeStore, memoryStore, type WebhookEvent } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { synchronousStore } from '../../src/stores/synchronous-store.js'
import { signStripeRequest } from '../../src/testing/index.js'

const SECRET = 'whsec_synchronous_store'
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

const delivery = (id: string) =>
  signStripeRequest({ secret: SECRET, now: NOW, body: { id, type: 'invoice.paid', object: 'event' } })

function setup(store: DedupeStore, extra: Partial<Parameters<typeof createWebhookHandler>[0]> = {}) {
  const enqueued: WebhookEvent[] = []
  const handler = createWebhookHandler({
    provider: stripe({ secret: SECRET }),
    store,
    now: () => NOW,
    logger: false,
    enqueue: async (event) => {
      enqueued.push(event)
    },
    ...extra,
  })
  return { handler, enqueued }
}

describe('the synchronous form of memoryStore', () => {
  it('is offered only while the store still has its own claim and complete', () => {
    const store = memoryStore()
    const synchronous = synchronousStore(store)
    expect(synchronous).toBeDefined()
    expect(synchronousStore({ ...store })).toBeUndefined()
    expect(synchronousStore({ ...store, claim: async () => ({ state: 'duplicate' as const }) })).toBeUndefined()
    vi.spyOn(store, 'complete')
    expect(synchronousStore(store)).toBeUndefined()
  })

  it('answers as the promise methods do: claimed, duplicate, in flight, completed, and false for a stale token', async () => {
    let time = NOW
    const store = memoryStore({ now: () => time })
    const synchronous = synchronousStore(store)
    if (!synchronous) throw new Error('memoryStore has a synchronous form')
    const first = synchronous.claim(['a', 'b'], { leaseMs: 1000 })
    expect(first).toMatchObject({ state: 'claimed' })
    expect(await store.claim(['b'], { leaseMs: 1000 })).toEqual({ state: 'in-flight' })
    expect(synchronous.complete(['a', 'b'], 'claim-999', { retentionMs: 60_000 })).toBe(false)
    const token = first.state === 'claimed' ? first.token : ''
    expect(synchronous.complete(['a', 'b'], token, { retentionMs: 60_000 })).toBe(true)
    expect(await store.claim(['a'], { leaseMs: 1000 })).toEqual({ state: 'duplicate' })
    expect(synchronous.claim(['b', 'c'], { leaseMs: 1000 })).toEqual({ state: 'duplicate' })
    time += 60_001
    expect(synchronous.claim(['a'], { leaseMs: 1000 })).toMatchObject({ state: 'claimed' })
  })

  it('a store whose claim was replaced after the handler was made is called through it', async () => {
    const store = memoryStore()
    const { handler, enqueued } = setup(store)
    const claim = vi.spyOn(store, 'claim')
    const complete = vi.spyOn(store, 'complete')
    expect((await handler.handle(await delivery('evt_spied'))).status).toBe(200)
    expect(JSON.parse((await handler.handle(await delivery('evt_spied'))).body)).toMatchObject({ duplicate: true })
    expect(claim).toHaveBeenCalledTimes(2)
    expect(complete).toHaveBeenCalledTimes(1)
    expect(enqueued).toHaveLength(1)
  })

  it('a full store is answered 503 store_unavailable and reported, as a rejected claim is', async () => {
    const store = memoryStore({ maxEntries: 1, whenFull: 'refuse' })
    const onError = vi.fn()
    // The enqueue of the first delivery holds its claim while the second arrives.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const { handler } = setup(store, { onError, enqueue: () => held })
    const first = handler.handle(await delivery('evt_first'))
    await vi.waitFor(() => expect(store.size).toBe(1))
    const second = await handler.handle(await delivery('evt_second'))
    expect(second.status).toBe(503)
    expect(JSON.parse(second.body)).toMatchObject({ error: { code: 'store_unavailable' } })
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'claim', id: 'evt_second' }))
    release()
    expect((await first).status).toBe(200)
  })

  it('a claim that expired before complete is reported, and the delivery still answered 200', async () => {
    let time = NOW
    const store = memoryStore({ now: () => time })
    const onError = vi.fn()
    const { handler } = setup(store, {
      onError,
      leaseMs: 10_000,
      enqueueTimeoutMs: 5_000,
      enqueue: async () => {
        time += 10_001
      },
    })
    expect((await handler.handle(await delivery('evt_late'))).status).toBe(200)
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        phase: 'complete',
        id: 'evt_late',
        error: expect.objectContaining({ code: 'store_unavailable' }),
      }),
    )
  })

  it('with instrumentation, claim and complete still run as steps', async () => {
    const store = memoryStore()
    const steps: string[] = []
    const { handler } = setup(store, {
      instrumentation: {
        start: () => ({
          step: (name, work) => {
            steps.push(name)
            return work()
          },
          end: () => {},
        }),
      },
    })
    expect((await handler.handle(await delivery('evt_traced'))).status).toBe(200)
    expect(steps).toEqual(['verify', 'claim', 'enqueue', 'complete'])
  })
})
