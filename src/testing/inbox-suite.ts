import { createWebhookHandler } from '../core/handler.js'
import type { Inbox, InboxDelivery, InboxLease, InboxQuery } from '../inbox/types.js'
import { createInboxWorker } from '../inbox/worker.js'
import { stripe } from '../providers/index.js'
import { signStripeRequest } from './signers.js'

type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void
type Expect = (value: unknown) => {
  toBe(expected: unknown): void
  toEqual(expected: unknown): void
}

/** Effects written by a transactional `process`, for inboxes that offer transactions. */
export interface InboxSuiteEffects<I extends Inbox = Inbox> {
  /** Creates the effects table for this inbox (the suite calls it once per test that needs it). */
  setup(inbox: I): Promise<unknown>
  /** Writes one effect through the transaction's `query`. */
  write(query: InboxQuery, id: string, inbox: I): Promise<unknown>
  /** How many effects `id` has, read outside any transaction. */
  count(inbox: I, id: string): Promise<number>
}

/** Options of {@link testInbox}. */
export interface InboxSuiteOptions<I extends Inbox = Inbox> {
  /** Shown in the suite's title. */
  name: string
  /** Makes a fresh, empty inbox (its own table) for one test. */
  create: () => I | Promise<I>
  /** Undoes what `create` made (drop tables). Runs after `close()`. */
  cleanup?: (inbox: I) => unknown
  /** Moves the inbox's clock forward. @default waits the real time (for inboxes on the database clock) */
  advance?: (ms: number) => unknown
  /** Lease used by the expiry tests; keep it small for real-time inboxes. @default 300 */
  shortMs?: number
  /** Concurrent accepts of one delivery. @default 50 */
  concurrency?: number
  /** With an inbox that has `transact`: how the exactly-once tests write and count effects. */
  effects?: InboxSuiteEffects<I>
  /** Per-test timeout. @default 30000 */
  timeoutMs?: number
  /** The runner's `describe`, `it` and `expect` (vitest or jest). @default the runner's globals */
  describe?: (name: string, fn: () => void) => void
  it?: TestFn
  expect?: Expect
}

function fromGlobals<F>(value: F | undefined, name: string): F {
  const found = value ?? (globalThis as Record<string, unknown>)[name]
  if (typeof found !== 'function') {
    throw new Error(
      `[webhook-inbox] testInbox needs \`${name}\`: pass { describe, it, expect } from 'vitest' (or your runner), or enable its globals.`,
    )
  }
  return found as F
}

const SECRET = 'whsec_inbox_suite'
const encoder = new TextEncoder()

/**
 * The shared conformance suite every inbox must pass: one atomic accept among concurrent copies,
 * a hit on any key is a duplicate, exact bytes kept, leases with token checks and expiry, retries,
 * dead and replay, list pages, stats, bounded prune, re-verification, hostile keys, and (with
 * `effects`) transactional effects that commit if and only if the row is done. Worker and handler
 * run over it end to end.
 *
 * @example
 * import { describe, it, expect } from 'vitest'
 * import { memoryInbox } from 'webhook-inbox'
 * import { testInbox } from 'webhook-inbox/testing'
 * testInbox({ name: 'memory', create: () => memoryInbox(), describe, it, expect })
 */
export function testInbox<I extends Inbox>(options: InboxSuiteOptions<I>): void {
  const describe = fromGlobals(options.describe, 'describe')
  const it = fromGlobals(options.it, 'it')
  const expect = fromGlobals(options.expect, 'expect')
  const short = options.shortMs ?? 300
  const timeout = options.timeoutMs ?? 30_000
  const advance = async (ms: number) => {
    if (options.advance) await options.advance(ms)
    else await new Promise((resolve) => setTimeout(resolve, ms))
  }
  const run = globalThis.crypto.randomUUID().slice(0, 8)
  let counter = 0
  const fresh = (label: string) => `evt_${run}_${counter++}_${label}`

  function delivery(id: string, body: string | Uint8Array = `{"id":"${id}"}`, type = 'invoice.paid'): InboxDelivery {
    const bytes = typeof body === 'string' ? encoder.encode(body) : body
    return {
      event: {
        provider: 'stripe',
        id,
        type,
        payload: { id },
        body: typeof body === 'string' ? body : 'AP8=',
        ...(typeof body === 'string' ? {} : { bodyEncoding: 'base64' as const }),
        headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
        receivedAt: new Date().toISOString(),
      },
      body: bytes,
      method: 'POST',
      url: 'https://example.test/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    }
  }

  async function one(inbox: Inbox, leaseMs = 60_000): Promise<InboxLease> {
    const [lease] = await inbox.claim({ limit: 1, leaseMs })
    if (!lease) throw new Error('expected a due row')
    return lease
  }

  function test(name: string, body: (inbox: I) => Promise<void>): void {
    it(
      name,
      async () => {
        const inbox = await options.create()
        try {
          await body(inbox)
        } finally {
          await inbox.close?.()
          await options.cleanup?.(inbox)
        }
      },
      timeout,
    )
  }

  describe(`Inbox conformance: ${options.name}`, () => {
    test('accept stores a new delivery exactly as received', async (inbox) => {
      const id = fresh('new')
      const bytes = new Uint8Array([0x7b, 0xff, 0x00, 0x7d])
      expect((await inbox.accept([`stripe:${id}`], delivery(id, bytes))).state).toBe('accepted')
      const record = await inbox.get(`stripe:${id}`)
      expect(record?.state).toBe('pending')
      expect(record?.attempts).toBe(0)
      expect(record?.keys).toEqual([`stripe:${id}`])
      expect([record?.provider, record?.id, record?.type]).toEqual(['stripe', id, 'invoice.paid'])
      expect([...(record?.body ?? [])]).toEqual([...bytes])
      expect(record?.headers).toEqual({ 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' })
      const { receivedAt: _, ...sent } = delivery(id, bytes).event
      const { receivedAt: __, ...kept } = record?.event ?? ({} as Record<string, unknown>)
      expect(kept).toEqual(sent)
      expect(record?.event.payload).toEqual({ id })
      expect([record?.method, record?.url]).toEqual(['POST', 'https://example.test/webhooks/stripe'])
      expect(typeof record?.acceptedAt).toBe('string')
      expect(await inbox.get(`stripe:${fresh('absent')}`)).toBe(undefined)
    })

    test('a hit on any key is a duplicate, and a duplicate writes nothing', async (inbox) => {
      const id = fresh('dup')
      const keys = [`stripe:${id}`, `stripe:sha256:${id}`]
      expect((await inbox.accept(keys, delivery(id))).state).toBe('accepted')
      expect((await inbox.accept(keys, delivery(id))).state).toBe('duplicate')
      expect((await inbox.accept([`stripe:other-${id}`, keys[1] as string], delivery(`other-${id}`))).state).toBe(
        'duplicate',
      )
      expect((await inbox.accept([keys[0] as string], delivery(id))).state).toBe('duplicate')
      expect((await inbox.list()).records.length).toBe(1)
      expect(await inbox.get(`stripe:other-${id}`)).toBe(undefined)
      expect((await inbox.get(keys[1] as string))?.id).toBe(id)
      expect((await inbox.stats()).pending).toBe(1)
    })

    test(`exactly one of ${options.concurrency ?? 50} concurrent copies is accepted`, async (inbox) => {
      const id = fresh('race')
      const results = await Promise.all(
        Array.from({ length: options.concurrency ?? 50 }, () => inbox.accept([`stripe:${id}`], delivery(id))),
      )
      expect(results.filter((r) => r.state === 'accepted').length).toBe(1)
      expect(results.filter((r) => r.state === 'duplicate').length).toBe(results.length - 1)
      expect((await inbox.stats()).pending).toBe(1)
    })

    test('claim leases due rows oldest first, once; complete needs the token', async (inbox) => {
      const ids = [fresh('a'), fresh('b'), fresh('c')]
      for (const id of ids) await inbox.accept([`stripe:${id}`], delivery(id))
      const first = await inbox.claim({ limit: 2, leaseMs: 60_000 })
      expect(first.map((l) => l.event.id)).toEqual(ids.slice(0, 2))
      expect(first.map((l) => l.attempts)).toEqual([1, 1])
      const second = await inbox.claim({ limit: 5, leaseMs: 60_000 })
      expect(second.map((l) => l.event.id)).toEqual(ids.slice(2))
      expect(await inbox.claim({ limit: 5, leaseMs: 60_000 })).toEqual([])
      const lease = first[0] as InboxLease
      expect((await inbox.get(lease.key))?.state).toBe('processing')
      expect(await inbox.complete({ ...lease, token: 'not-the-token' })).toBe(false)
      expect(await inbox.fail({ ...lease, token: 'not-the-token' }, { error: { code: 'x', message: 'x' } })).toBe(false)
      expect(await inbox.complete(lease)).toBe(true)
      expect(await inbox.complete(lease)).toBe(false)
      const done = await inbox.get(lease.key)
      expect(done?.state).toBe('done')
      expect(typeof done?.doneAt).toBe('string')
      expect((await inbox.accept([lease.key], delivery(lease.event.id))).state).toBe('duplicate')
      const stats = await inbox.stats()
      expect([stats.pending, stats.processing, stats.done]).toEqual([0, 2, 1])
    })

    test('a failed attempt is retried after its delay, then dead after the last one', async (inbox) => {
      const id = fresh('fail')
      await inbox.accept([`stripe:${id}`], delivery(id))
      const lease = await one(inbox)
      expect(await inbox.fail(lease, { error: { code: 'boom', message: 'it broke' }, retryInMs: 60_000 })).toBe(true)
      const failed = await inbox.get(lease.key)
      expect(failed?.state).toBe('failed')
      expect(failed?.lastError).toEqual({ code: 'boom', message: 'it broke' })
      expect(typeof failed?.failedAt).toBe('string')
      expect(await inbox.claim({ limit: 1, leaseMs: 60_000 })).toEqual([])
      const stats = await inbox.stats()
      expect(stats.failed).toBe(1)
      expect(typeof stats.oldestFailedAgeMs).toBe('number')

      const id2 = fresh('retry')
      await inbox.accept([`stripe:${id2}`], delivery(id2))
      const l1 = await one(inbox)
      await inbox.fail(l1, { error: { code: 'boom', message: 'again' }, retryInMs: 0 })
      const l2 = await one(inbox)
      expect([l2.event.id, l2.attempts]).toEqual([id2, 2])
      expect(await inbox.fail(l2, { error: { code: 'final', message: 'gave up' } })).toBe(true)
      const dead = await inbox.get(l2.key)
      expect([dead?.state, dead?.attempts, dead?.lastError?.code]).toEqual(['dead', 2, 'final'])
      expect(typeof dead?.deadAt).toBe('string')
      expect(await inbox.claim({ limit: 5, leaseMs: 60_000 })).toEqual([])
      expect((await inbox.stats()).dead).toBe(1)
    })

    test('an expired lease is taken again, and the old token can no longer mark the row', async (inbox) => {
      const id = fresh('lease')
      await inbox.accept([`stripe:${id}`], delivery(id))
      const old = await one(inbox, short)
      await advance(short * 2)
      const taken = await one(inbox)
      expect([taken.event.id, taken.attempts]).toEqual([id, 2])
      expect(await inbox.complete(old)).toBe(false)
      expect(await inbox.fail(old, { error: { code: 'late', message: 'late' } })).toBe(false)
      expect(await inbox.complete(taken)).toBe(true)
    })

    test('a lapsed lease cannot be completed even when nobody took the row since', async (inbox) => {
      const id = fresh('lapsed')
      await inbox.accept([`stripe:${id}`], delivery(id))
      const old = await one(inbox, short)
      await advance(short * 2)
      expect(await inbox.complete(old)).toBe(false)
      expect((await inbox.get(old.key))?.state).toBe('processing')
    })

    test('replay sends dead and done rows back to pending with attempts reset, counted', async (inbox) => {
      const [a, b, c] = [fresh('ra'), fresh('rb'), fresh('rc')]
      for (const id of [a, b, c]) await inbox.accept([`stripe:${id}`], delivery(id))
      const [la, lb] = await inbox.claim({ limit: 2, leaseMs: 60_000 })
      await inbox.fail(la as InboxLease, { error: { code: 'x', message: 'dead' } })
      await inbox.complete(lb as InboxLease)
      expect(await inbox.replay(`stripe:${c}`)).toBe(0)
      expect(await inbox.replay(`stripe:${fresh('nothing')}`)).toBe(0)
      expect(await inbox.replay({})).toBe(1)
      const replayed = await inbox.get(`stripe:${a}`)
      expect([replayed?.state, replayed?.attempts, replayed?.replays]).toEqual(['pending', 0, 1])
      expect(typeof replayed?.replayedAt).toBe('string')
      expect(await inbox.replay(`stripe:${b}`)).toBe(1)
      expect((await inbox.get(`stripe:${b}`))?.state).toBe('pending')
      expect(await inbox.replay({ state: ['dead', 'done'] })).toBe(0)
      const again = await inbox.claim({ limit: 5, leaseMs: 60_000 })
      expect(again.map((l) => l.event.id).sort()).toEqual([a, b, c].sort())
      expect(again.find((l) => l.event.id === a)?.attempts).toBe(1)
    })

    test('list pages newest first and filters; stats counts every state', async (inbox) => {
      const ids = Array.from({ length: 7 }, (_, i) => fresh(`list${i}`))
      for (const [i, id] of ids.entries()) {
        await inbox.accept([`stripe:${id}`], delivery(id, `{"i":${i}}`, i % 2 === 0 ? 'even' : 'odd'))
      }
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await inbox.list({ limit: 3, ...(cursor ? { cursor } : {}) })
        expect(page.records.length <= 3).toBe(true)
        seen.push(...page.records.map((r) => r.id))
        cursor = page.cursor
      } while (cursor)
      expect(seen).toEqual([...ids].reverse())
      expect((await inbox.list({ type: 'even' })).records.map((r) => r.id)).toEqual(
        ids.filter((_, i) => i % 2 === 0).reverse(),
      )
      expect((await inbox.list({ provider: 'github' })).records).toEqual([])
      expect((await inbox.list({ since: Date.now() + 60_000 })).records).toEqual([])
      expect((await inbox.list({ since: new Date(Date.now() - 60_000) })).records.length).toBe(7)
      const [lease] = await inbox.claim({ limit: 1, leaseMs: 60_000 })
      await inbox.complete(lease as InboxLease)
      expect((await inbox.list({ state: 'done' })).records.map((r) => r.id)).toEqual([ids[0]])
      expect((await inbox.list({ state: ['pending', 'done'] })).records.length).toBe(7)
      const stats = await inbox.stats()
      expect([stats.pending, stats.processing, stats.failed, stats.dead, stats.done]).toEqual([6, 0, 0, 0, 1])
      expect(typeof stats.oldestPendingAgeMs === 'number' && stats.oldestPendingAgeMs >= 0).toBe(true)
      expect(stats.oldestFailedAgeMs).toBe(null)
    })

    test('prune deletes old done rows in batches and keeps everything unprocessed', async (inbox) => {
      const ids = Array.from({ length: 5 }, (_, i) => fresh(`prune${i}`))
      for (const id of ids) await inbox.accept([`stripe:${id}`, `stripe:alt-${id}`], delivery(id))
      const leases = await inbox.claim({ limit: 3, leaseMs: 60_000 })
      for (const lease of leases) await inbox.complete(lease)
      expect(await inbox.prune()).toBe(0)
      await advance(5)
      expect(await inbox.prune({ olderThanMs: 0, batchSize: 2 })).toBe(3)
      const stats = await inbox.stats()
      expect([stats.pending, stats.done]).toEqual([2, 0])
      // A pruned id is forgotten under every key: accepted again.
      expect((await inbox.accept([`stripe:alt-${ids[0]}`], delivery(ids[0] as string))).state).toBe('accepted')
      expect((await inbox.accept([`stripe:${ids[4]}`], delivery(ids[4] as string))).state).toBe('duplicate')
    })

    test('hostile keys are stored as themselves', async (inbox) => {
      const base = fresh('hostile')
      const hostile = ['*', '%', '_', "'", '"', ';--', '\n', '\0', 'ü', '😀', 'x'.repeat(1024), '\uD800']
      const keys = hostile.map((h) => `stripe:${base}${h}`)
      // The ids and types carry the hostile characters too: a signed id is the provider's to choose.
      const ids = hostile.map((h, i) => `${base}-${i}${h}`)
      const results = await Promise.all(
        keys.map((k, i) => inbox.accept([k], delivery(ids[i] as string, '{}', `t${hostile[i]}`))),
      )
      expect(results.map((r) => r.state)).toEqual(keys.map(() => 'accepted'))
      expect((await inbox.accept([`stripe:${base}`], delivery(base))).state).toBe('accepted')
      for (const [i, k] of keys.entries()) {
        const record = await inbox.get(k)
        expect([record?.id, record?.type, record?.event.id]).toEqual([ids[i], `t${hostile[i]}`, ids[i]])
      }
      expect((await inbox.accept([keys[1] as string], delivery('again'))).state).toBe('duplicate')
    })

    test('verify re-checks the stored signature; a wrong secret fails it', async (inbox) => {
      const handler = createWebhookHandler({ provider: stripe({ secret: SECRET }), inbox })
      const id = fresh('verify')
      const signed = await signStripeRequest({
        secret: SECRET,
        body: { id, object: 'event', type: 'charge.succeeded' },
      })
      expect((await handler.handle(signed)).status).toBe(200)
      expect(await inbox.verify(`stripe:${id}`, stripe({ secret: SECRET }))).toEqual({ ok: true })
      const wrong = await inbox.verify(`stripe:${id}`, stripe({ secret: 'whsec_other' }))
      expect(wrong.ok).toBe(false)
      expect((await inbox.verify(`stripe:${fresh('none')}`, stripe({ secret: SECRET }))).ok).toBe(false)
    })

    test('handler + worker: each event processed once, retried on failure, dead after maxAttempts', async (inbox) => {
      const handler = createWebhookHandler({ provider: stripe({ secret: SECRET }), inbox })
      const ids = Array.from({ length: 12 }, (_, i) => fresh(`e2e${i}`))
      for (const id of ids) {
        const signed = await signStripeRequest({ secret: SECRET, body: { id, object: 'event', type: 'invoice.paid' } })
        const answers = await Promise.all([handler.handle(signed), handler.handle(signed)])
        expect(answers.map((a) => a.status)).toEqual([200, 200])
        expect(answers.filter((a) => a.body.includes('"duplicate":true')).length).toBe(1)
      }
      const processed = new Map<string, number>()
      const attempts = new Map<string, number>()
      const dead: string[] = []
      const worker = createInboxWorker({
        inbox,
        concurrency: 3,
        retry: { maxAttempts: 3, backoffMs: () => 0 },
        onDead: ({ event }) => {
          dead.push(event.id)
        },
        process: async (event) => {
          attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1)
          if (event.id === ids[0]) throw new Error('always fails')
          if (event.id === ids[1] && attempts.get(event.id) === 1) throw new Error('fails once')
          processed.set(event.id, (processed.get(event.id) ?? 0) + 1)
        },
      })
      expect(await worker.drain()).toBe(ids.length + 3)
      expect([...processed.values()].every((n) => n === 1)).toBe(true)
      expect(processed.size).toBe(ids.length - 1)
      expect(dead).toEqual([ids[0]])
      expect(attempts.get(ids[0] as string)).toBe(3)
      const stats = await inbox.stats()
      expect([stats.done, stats.dead, stats.pending, stats.failed]).toEqual([ids.length - 1, 1, 0, 0])
      expect((await inbox.get(`stripe:${ids[0]}`))?.lastError).toEqual({
        code: 'process_failed',
        message: 'always fails',
      })
      expect(await inbox.replay(`stripe:${ids[0]}`)).toBe(1)
      const replayed = createInboxWorker({ inbox, process: async () => {} })
      expect(await replayed.drain()).toBe(1)
      expect((await inbox.get(`stripe:${ids[0]}`))?.state).toBe('done')
    })

    test('a started worker picks up a new delivery and stop() lets it finish', async (inbox) => {
      const seen: string[] = []
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const worker = createInboxWorker({
        inbox,
        pollIntervalMs: 50,
        process: async (event) => {
          await gate
          seen.push(event.id)
        },
      })
      worker.start()
      const id = fresh('live')
      await inbox.accept([`stripe:${id}`], delivery(id))
      for (let i = 0; i < 200 && (await inbox.stats()).processing === 0; i++)
        await new Promise((r) => setTimeout(r, 10))
      const stopping = worker.stop()
      release()
      await stopping
      expect(seen).toEqual([id])
      expect((await inbox.get(`stripe:${id}`))?.state).toBe('done')
      expect(worker.running).toBe(false)
    })

    const effects = options.effects
    if (effects) {
      test('transactional: effects commit if and only if the row is done', async (inbox) => {
        await effects.setup(inbox)
        const [ok, bad, stolen] = [fresh('tx-ok'), fresh('tx-bad'), fresh('tx-stolen')]
        for (const id of [ok, bad]) await inbox.accept([`stripe:${id}`], delivery(id))
        const worker = createInboxWorker({
          inbox,
          transactional: true,
          retry: { maxAttempts: 2, backoffMs: () => 0 },
          process: async (event, { query }) => {
            await effects.write(query as InboxQuery, event.id, inbox)
            if (event.id === bad) throw new Error('after the effect')
          },
        })
        expect(await worker.drain()).toBe(3)
        expect(await effects.count(inbox, ok)).toBe(1)
        expect(await effects.count(inbox, bad)).toBe(0)
        expect((await inbox.get(`stripe:${ok}`))?.state).toBe('done')
        expect((await inbox.get(`stripe:${bad}`))?.state).toBe('dead')

        // A lease that ran out runs nothing and writes nothing.
        await inbox.accept([`stripe:${stolen}`], delivery(stolen))
        const old = await one(inbox, short)
        await advance(short * 2)
        const current = await one(inbox)
        const ran = await inbox.transact?.(old, async (query) => {
          await effects.write(query, stolen, inbox)
        })
        expect(ran).toBe(false)
        expect(await effects.count(inbox, stolen)).toBe(0)
        expect(await inbox.transact?.(current, (query) => effects.write(query, stolen, inbox).then(() => {}))).toBe(
          true,
        )
        expect(await effects.count(inbox, stolen)).toBe(1)
        expect((await inbox.get(`stripe:${stolen}`))?.state).toBe('done')
      })
    }

    test('close() can be called twice', async (inbox) => {
      await inbox.close?.()
      await inbox.close?.()
    })
  })
}
