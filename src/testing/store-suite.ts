import type { DedupeStore } from '../stores/types.js'

type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void
type Expect = (value: unknown) => {
  toBe(expected: unknown): void
  toEqual(expected: unknown): void
}

/** Options of {@link testDedupeStore}. */
export interface DedupeStoreSuiteOptions<S extends DedupeStore = DedupeStore> {
  /** Shown in the suite's title. */
  name: string
  /** Makes a fresh store for one test. */
  create: () => S | Promise<S>
  /** Undoes what `create` made (drop tables, disconnect). Runs after `close()`. */
  cleanup?: (store: S) => unknown
  /** Moves the store's clock forward. @default waits the real time (for stores whose clock is the server's) */
  advance?: (ms: number) => unknown
  /** Lease and retention used by the expiry tests; keep it small for real-time stores. @default 300 */
  shortMs?: number
  /** Concurrent claims of one key. @default 100 */
  concurrency?: number
  /** Distinct keys in the bulk test. @default 10000 */
  bulkKeys?: number
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
      `[webhook-inbox] testDedupeStore needs \`${name}\`: pass { describe, it, expect } from 'vitest' (or your runner), or enable its globals.`,
    )
  }
  return found as F
}

/**
 * The shared conformance suite every dedupe store must pass: one winner among concurrent claims,
 * complete, release, lease expiry with token checks, retention, many keys, hostile keys, close,
 * and claims of several keys at once (all or none; a hit on any key is a duplicate; one winner
 * among concurrent claims that share a key; token checks on every key).
 * Authors of other stores (DynamoDB, D1, Upstash, ...) run it against theirs.
 *
 * @example
 * import { describe, it, expect } from 'vitest'
 * import { testDedupeStore } from 'webhook-inbox/testing'
 * testDedupeStore({ name: 'my store', create: () => myStore(), describe, it, expect })
 */
export function testDedupeStore<S extends DedupeStore>(options: DedupeStoreSuiteOptions<S>): void {
  const describe = fromGlobals(options.describe, 'describe')
  const it = fromGlobals(options.it, 'it')
  const expect = fromGlobals(options.expect, 'expect')
  const short = options.shortMs ?? 300
  const lease = { leaseMs: short }
  const long = { leaseMs: 60_000 }
  const retain = { retentionMs: 60_000 }
  const timeout = options.timeoutMs ?? 30_000
  const advance = async (ms: number) => {
    if (options.advance) await options.advance(ms)
    else await new Promise((resolve) => setTimeout(resolve, ms))
  }
  // Keys are unique per run, so stores backed by a shared database need no wiping between runs.
  const run = globalThis.crypto.randomUUID().slice(0, 8)
  let counter = 0
  const key = (label: string) => `suite-${run}-${counter++}:${label}`

  function test(name: string, body: (store: S) => Promise<void>): void {
    it(
      name,
      async () => {
        const store = await options.create()
        try {
          await body(store)
        } finally {
          await store.close?.()
          await options.cleanup?.(store)
        }
      },
      timeout,
    )
  }

  describe(`DedupeStore conformance: ${options.name}`, () => {
    test('a free key is claimed, with a token', async (store) => {
      const result = await store.claim([key('free')], long)
      expect(result.state).toBe('claimed')
      expect(typeof (result as { token?: unknown }).token).toBe('string')
    })

    test(`exactly one winner among ${options.concurrency ?? 100} concurrent claims of one key`, async (store) => {
      const k = key('race')
      const results = await Promise.all(
        Array.from({ length: options.concurrency ?? 100 }, () => store.claim([k], long)),
      )
      expect(results.filter((r) => r.state === 'claimed').length).toBe(1)
      expect(results.filter((r) => r.state === 'in-flight').length).toBe(results.length - 1)
    })

    test('complete makes later claims duplicate', async (store) => {
      const k = key('complete')
      const claim = await store.claim([k], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect(await store.complete([k], claim.token, retain)).toBe(true)
      expect((await store.claim([k], long)).state).toBe('duplicate')
      expect((await store.claim([k], long)).state).toBe('duplicate')
    })

    test('release makes the key claimable again', async (store) => {
      const k = key('release')
      const claim = await store.claim([k], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect((await store.claim([k], long)).state).toBe('in-flight')
      expect(await store.release([k], claim.token)).toBe(true)
      const again = await store.claim([k], long)
      expect(again.state).toBe('claimed')
    })

    test('a wrong token can neither complete nor release', async (store) => {
      const k = key('token')
      const claim = await store.claim([k], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect(await store.complete([k], 'not-the-token', retain)).toBe(false)
      expect(await store.release([k], 'not-the-token')).toBe(false)
      expect((await store.claim([k], long)).state).toBe('in-flight')
      expect(await store.complete([k], claim.token, retain)).toBe(true)
    })

    test('complete and release of a key never claimed answer false', async (store) => {
      expect(await store.complete([key('never')], 'token', retain)).toBe(false)
      expect(await store.release([key('never')], 'token')).toBe(false)
    })

    test('an expired lease is claimable again, and the old token can no longer complete or release', async (store) => {
      const k = key('lease')
      const first = await store.claim([k], lease)
      if (first.state !== 'claimed') throw new Error('expected a claim')
      await advance(short * 2)
      const second = await store.claim([k], long)
      expect(second.state).toBe('claimed')
      expect(await store.complete([k], first.token, retain)).toBe(false)
      expect(await store.release([k], first.token)).toBe(false)
      expect((await store.claim([k], long)).state).toBe('in-flight')
      if (second.state === 'claimed') expect(await store.complete([k], second.token, retain)).toBe(true)
      expect((await store.claim([k], long)).state).toBe('duplicate')
    })

    test('an expired lease cannot be completed even when nobody claimed it since', async (store) => {
      const k = key('lapsed')
      const first = await store.claim([k], lease)
      if (first.state !== 'claimed') throw new Error('expected a claim')
      await advance(short * 2)
      expect(await store.complete([k], first.token, retain)).toBe(false)
      expect((await store.claim([k], long)).state).toBe('claimed')
    })

    test('a completed id is forgotten after retentionMs', async (store) => {
      const k = key('retention')
      const claim = await store.claim([k], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      await store.complete([k], claim.token, { retentionMs: short })
      expect((await store.claim([k], long)).state).toBe('duplicate')
      await advance(short * 2)
      expect((await store.claim([k], long)).state).toBe('claimed')
    })

    test(`${options.bulkKeys ?? 10_000} distinct keys are each claimed once`, async (store) => {
      const total = options.bulkKeys ?? 10_000
      const prefix = key('bulk')
      let claimed = 0
      for (let start = 0; start < total; start += 500) {
        const batch = Array.from({ length: Math.min(500, total - start) }, (_, i) => `${prefix}-${start + i}`)
        const results = await Promise.all(batch.map((k) => store.claim([k], long)))
        claimed += results.filter((r) => r.state === 'claimed').length
      }
      expect(claimed).toBe(total)
      const again = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.claim([`${prefix}-${i * Math.floor(total / 50)}`], long)),
      )
      expect(again.every((r) => r.state === 'in-flight')).toBe(true)
    })

    test('hostile keys are stored as themselves (no glob, separator or encoding tricks)', async (store) => {
      const base = key('hostile')
      const hostile = [
        '*',
        '?',
        '[',
        ']',
        '[a-z]',
        ':',
        '::',
        '\\',
        '%',
        '_',
        "'",
        '"',
        ';--',
        '\n',
        '\r\n',
        '\0',
        ' ',
        'ü',
        '漢字',
        '😀',
        'x'.repeat(1024),
      ]
      const keys = hostile.map((h) => `${base}${h}`)
      const first = await Promise.all(keys.map((k) => store.claim([k], long)))
      expect(first.map((r) => r.state)).toEqual(keys.map(() => 'claimed'))
      // The plain base key is untouched by its glob-like neighbours.
      expect((await store.claim([base], long)).state).toBe('claimed')
      const second = await Promise.all(keys.map((k) => store.claim([k], long)))
      expect(second.map((r) => r.state)).toEqual(keys.map(() => 'in-flight'))
      const token = (first[0] as { token: string }).token
      expect(await store.complete([keys[0] as string], token, retain)).toBe(true)
      expect((await store.claim([keys[0] as string], long)).state).toBe('duplicate')
      expect((await store.claim([keys[2] as string], long)).state).toBe('in-flight')
    })

    test('a claim of several keys takes all of them, and a refused claim takes none', async (store) => {
      const [a, b, c] = [key('multi-a'), key('multi-b'), key('multi-c')]
      const claim = await store.claim([a, b], long)
      expect(claim.state).toBe('claimed')
      expect((await store.claim([a], long)).state).toBe('in-flight')
      expect((await store.claim([b], long)).state).toBe('in-flight')
      expect((await store.claim([c, b], long)).state).toBe('in-flight')
      // The refused claim of [c, b] left c free.
      expect((await store.claim([c], long)).state).toBe('claimed')
    })

    test('a completed key makes any claim that holds it a duplicate, and the other keys stay free', async (store) => {
      const [id, sig, other, fresh] = [key('dup-id'), key('dup-sig'), key('dup-other'), key('dup-fresh')]
      const claim = await store.claim([id, sig], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect(await store.complete([id, sig], claim.token, retain)).toBe(true)
      expect((await store.claim([id, other], long)).state).toBe('duplicate')
      expect((await store.claim([fresh, sig], long)).state).toBe('duplicate')
      expect((await store.claim([other], long)).state).toBe('claimed')
      expect((await store.claim([fresh], long)).state).toBe('claimed')
    })

    test('duplicate wins over in-flight when a claim meets both', async (store) => {
      const [done, held] = [key('both-done'), key('both-held')]
      const first = await store.claim([done], long)
      if (first.state !== 'claimed') throw new Error('expected a claim')
      await store.complete([done], first.token, retain)
      expect((await store.claim([held], long)).state).toBe('claimed')
      expect((await store.claim([held, done], long)).state).toBe('duplicate')
    })

    test(`exactly one winner among ${options.concurrency ?? 100} concurrent claims that share one key, in either order`, async (store) => {
      const shared = key('shared')
      const ids = Array.from({ length: options.concurrency ?? 100 }, (_, i) => key(`own-${i}`))
      const results = await Promise.all(
        ids.map((id, i) => store.claim(i % 2 === 0 ? [id, shared] : [shared, id], long)),
      )
      expect(results.filter((r) => r.state === 'claimed').length).toBe(1)
      expect(results.filter((r) => r.state === 'in-flight').length).toBe(ids.length - 1)
      // Every losing claim left its own key free.
      const losers = ids.filter((_, i) => results[i]?.state !== 'claimed')
      const again = await Promise.all(losers.map((id) => store.claim([id], long)))
      expect(again.filter((r) => r.state === 'claimed').length).toBe(losers.length)
    })

    test('complete and release check the token on every key and change nothing otherwise', async (store) => {
      const [a, b, c] = [key('tok-a'), key('tok-b'), key('tok-c')]
      const claim = await store.claim([a, b], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      const other = await store.claim([c], long)
      if (other.state !== 'claimed') throw new Error('expected a claim')
      expect(await store.complete([a, c], claim.token, retain)).toBe(false)
      expect(await store.release([a, c], claim.token)).toBe(false)
      expect(await store.complete([a, b], 'not-the-token', retain)).toBe(false)
      expect(await store.release([a, b], 'not-the-token')).toBe(false)
      expect((await store.claim([a], long)).state).toBe('in-flight')
      expect((await store.claim([c], long)).state).toBe('in-flight')
      expect(await store.complete([a, b], claim.token, retain)).toBe(true)
      expect((await store.claim([a], long)).state).toBe('duplicate')
      expect((await store.claim([b], long)).state).toBe('duplicate')
      expect(await store.release([c], other.token)).toBe(true)
      expect((await store.claim([c], long)).state).toBe('claimed')
    })

    test('release of several keys frees all of them', async (store) => {
      const [a, b] = [key('rel-a'), key('rel-b')]
      const claim = await store.claim([a, b], long)
      if (claim.state !== 'claimed') throw new Error('expected a claim')
      expect(await store.release([a, b], claim.token)).toBe(true)
      expect((await store.claim([b], long)).state).toBe('claimed')
      expect((await store.claim([a], long)).state).toBe('claimed')
    })

    test('a lapsed claim of several keys frees every key, and its token completes nothing', async (store) => {
      const [a, b] = [key('lapse-a'), key('lapse-b')]
      const first = await store.claim([a, b], lease)
      if (first.state !== 'claimed') throw new Error('expected a claim')
      await advance(short * 2)
      const second = await store.claim([b], long)
      expect(second.state).toBe('claimed')
      expect(await store.complete([a, b], first.token, retain)).toBe(false)
      expect((await store.claim([a], long)).state).toBe('claimed')
    })

    test('hostile keys claimed together in one claim', async (store) => {
      const base = key('hostile-many')
      const keys = ['*', '[a-z]', '\0', '\0', "';--", '😀', 'x'.repeat(1024)].map((h, i) => `${base}${i}${h}`)
      const claim = await store.claim(keys, long)
      expect(claim.state).toBe('claimed')
      const each = await Promise.all(keys.map((k) => store.claim([k], long)))
      expect(each.map((r) => r.state)).toEqual(keys.map(() => 'in-flight'))
      if (claim.state === 'claimed') expect(await store.complete(keys, claim.token, retain)).toBe(true)
      expect((await store.claim([keys[6] as string], long)).state).toBe('duplicate')
    })

    test('close() can be called twice', async (store) => {
      // The harness closes once more afterwards: three calls, none may throw.
      await store.close?.()
      await store.close?.()
    })
  })
}
