import { describe, expect, it } from 'vitest'
import { defaultBackoffMs } from '../../src/inbox/inbox-internal.js'
import { createInboxWorker, type Inbox, type InboxDelivery, memoryInbox } from '../../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function delivery(id: string): InboxDelivery {
  const body = JSON.stringify({ id })
  return {
    event: {
      provider: 'stripe',
      id,
      type: 't',
      payload: { id },
      body,
      headers: {},
      receivedAt: new Date().toISOString(),
    },
    body: new TextEncoder().encode(body),
    method: 'POST',
    url: 'https://example.test/webhooks',
    headers: {},
  }
}

async function until(condition: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const stop = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > stop) throw new Error('condition not met in time')
    await sleep(5)
  }
}

describe('createInboxWorker', () => {
  it('one worker with concurrency 1 starts events in acceptance order; a failure is retried after the others', async () => {
    const inbox = memoryInbox()
    for (const id of ['a', 'b', 'c', 'd']) await inbox.accept([`stripe:${id}`], delivery(id))
    const order: string[] = []
    let failedOnce = false
    const worker = createInboxWorker({
      inbox,
      retry: { backoffMs: () => 0 },
      process: (event) => {
        order.push(event.id)
        if (event.id === 'b' && !failedOnce) {
          failedOnce = true
          throw new Error('once')
        }
      },
    })
    expect(await worker.drain()).toBe(5)
    expect(order).toEqual(['a', 'b', 'c', 'd', 'b'])
  })

  it('never runs more than `concurrency` events at once', async () => {
    const inbox = memoryInbox()
    for (let i = 0; i < 20; i++) await inbox.accept([`stripe:${i}`], delivery(String(i)))
    let running = 0
    let most = 0
    const worker = createInboxWorker({
      inbox,
      concurrency: 3,
      process: async () => {
        running++
        most = Math.max(most, running)
        await sleep(2)
        running--
      },
    })
    expect(await worker.drain()).toBe(20)
    expect(most).toBe(3)
  })

  it('passes the attempt to backoffMs, keeps the error code and a bounded message, and calls onDead once', async () => {
    const inbox = memoryInbox()
    await inbox.accept(['stripe:x'], delivery('x'))
    const asked: number[] = []
    const dead: number[] = []
    const worker = createInboxWorker({
      inbox,
      retry: {
        maxAttempts: 3,
        backoffMs: (attempt) => {
          asked.push(attempt)
          return 0
        },
      },
      onDead: ({ attempts }) => {
        dead.push(attempts)
      },
      process: () => {
        throw Object.assign(new Error('x'.repeat(2_000)), { code: 'crm_down' })
      },
    })
    await worker.drain()
    expect(asked).toEqual([1, 2])
    expect(dead).toEqual([3])
    const row = await inbox.get('stripe:x')
    expect(row?.lastError?.code).toBe('crm_down')
    expect(row?.lastError?.message.length).toBe(500)
  })

  it('the default backoff doubles from 1 s with jitter and stops at 15 minutes', () => {
    for (let i = 0; i < 50; i++) {
      const first = defaultBackoffMs(1)
      const third = defaultBackoffMs(3)
      expect(first >= 500 && first <= 1000).toBe(true)
      expect(third >= 2000 && third <= 4000).toBe(true)
      expect(defaultBackoffMs(40) <= 15 * 60_000).toBe(true)
    }
  })

  it('a worker whose lease ran out cannot mark the row; the worker that took it over does', async () => {
    let now = 1_000_000
    const inbox = memoryInbox({ now: () => now })
    await inbox.accept(['stripe:slow'], delivery('slow'))
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const seen: string[] = []
    const reported: string[] = []
    const slow = createInboxWorker({
      inbox,
      leaseMs: 1_000,
      onError: ({ phase, error }) => void reported.push(`${phase}: ${(error as Error).message}`),
      process: async () => {
        seen.push('slow')
        await gate
      },
    })
    const slowRun = slow.drain()
    await until(() => seen.length === 1)
    now += 2_000
    const fast = createInboxWorker({ inbox, process: () => void seen.push('fast') })
    expect(await fast.drain()).toBe(1)
    release()
    await slowRun
    const row = await inbox.get('stripe:slow')
    expect([row?.state, row?.attempts, seen]).toEqual(['done', 2, ['slow', 'fast']])
    expect(reported.length).toBe(1)
    expect(reported[0]).toMatch(/^complete: .*lease on stripe:slow ran out.*raise leaseMs/)
  })

  it('pauses while claims fail (reported through onError) and resumes by itself', async () => {
    const inner = memoryInbox()
    let down = true
    const flaky: Inbox = {
      ...inner,
      claim: (options) => (down ? Promise.reject(new Error('ECONNREFUSED')) : inner.claim(options)),
    }
    const errors: string[] = []
    const done: string[] = []
    const worker = createInboxWorker({
      inbox: flaky,
      pollIntervalMs: 10,
      onError: ({ phase }) => void errors.push(phase),
      process: (event) => void done.push(event.id),
    })
    await inner.accept(['stripe:p'], delivery('p'))
    worker.start()
    await until(() => errors.length >= 3)
    expect(done).toEqual([])
    down = false
    await until(() => done.length === 1)
    await worker.stop()
    expect(errors.every((phase) => phase === 'claim')).toBe(true)
    expect((await inner.get('stripe:p'))?.state).toBe('done')
  })

  it('stops when its signal aborts, and aborts the signal process gets', async () => {
    const controller = new AbortController()
    const inbox = memoryInbox()
    await inbox.accept(['stripe:long'], delivery('long'))
    let started = false
    const worker = createInboxWorker({
      inbox,
      signal: controller.signal,
      retry: { backoffMs: () => 60_000 },
      process: (_, { signal }) =>
        new Promise<void>((_, reject) => {
          started = true
          signal.addEventListener('abort', () => reject(new Error('aborted')))
        }),
    })
    worker.start()
    expect(worker.running).toBe(true)
    await until(() => started)
    controller.abort()
    await until(() => !worker.running)
    await until(async () => (await inbox.get('stripe:long'))?.state === 'failed')
    worker.start()
    expect(worker.running).toBe(false)
  })
})
