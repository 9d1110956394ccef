// Constant time in structure: every byte of both inputs is read, wherever they differ, and a
// verifier compares every candidate, wherever the match is. The Web Crypto back end is forced so
// that every comparison runs through src/crypto/compare.ts, instrumented here.
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { KNOWN_FAILURES } from './known-failures.js'
import { PRESETS, signEvent } from './presets.js'
import { record, runs, SEED } from './scale.js'

const counter = vi.hoisted(() => ({ reads: 0, calls: 0 }))

function counted(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++
      const value = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

vi.mock('../../src/crypto/node.js', async (original) => ({
  ...(await original<typeof import('../../src/crypto/node.js')>()),
  loadNodeCrypto: () => undefined,
}))

vi.mock('../../src/crypto/compare.js', async (original) => {
  const actual = await original<typeof import('../../src/crypto/compare.js')>()
  return {
    constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
      counter.calls++
      return actual.constantTimeEqual(counted(a), counted(b))
    },
  }
})

const { constantTimeEqual } = await import('../../src/crypto/compare.js')
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

function readsOf(run: () => unknown): number {
  counter.reads = 0
  run()
  return counter.reads
}

async function readsOfAsync(run: () => Promise<unknown>): Promise<{ reads: number; calls: number }> {
  counter.reads = 0
  counter.calls = 0
  await run()
  return { reads: counter.reads, calls: counter.calls }
}

describe('constantTimeEqual reads every byte', () => {
  it('whatever the length and wherever the first difference is', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 128 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (a, at, flip) => {
          const b = a.slice()
          const index = at % a.length
          b[index] = (b[index] as number) ^ flip
          expect(constantTimeEqual(a, b)).toBe(false)
          const differing = readsOf(() => constantTimeEqual(a, b))
          const equal = readsOf(() => constantTimeEqual(a, a.slice()))
          expect(differing).toBe(2 * a.length)
          expect(equal).toBe(2 * a.length)
        },
      ),
      { seed: SEED, numRuns: runs(200, 5000) },
    )
  })

  it('the instrument catches an early exit (so the property above can fail)', () => {
    const earlyExit = (a: Uint8Array, b: Uint8Array) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
      return true
    }
    const a = new Uint8Array(32).fill(7)
    const b = a.slice()
    b[0] = 8
    counter.reads = 0
    earlyExit(counted(a), counted(b))
    expect(counter.reads).toBe(2)
  })
})

describe('verifiers compare every candidate: the same reads for a match, a mismatch, and the first or last secret', () => {
  const cases = PRESETS.filter((c) => !['discord', 'sendgrid', 'plaid', 'awsSns', 'paypal'].includes(c.name))
  for (const c of cases) {
    const known = KNOWN_FAILURES[`candidates:${c.name}`]
    ;(known ? it.fails : it)(`${c.name}${known ? ` (known: ${known})` : ''}`, async () => {
      const [first, second] = c.secrets
      const rotating = c.create([first, second])
      const requests = {
        first: await signEvent(c, { secret: first, id: 'evt_ct_1', note: 'n', now: NOW }),
        second: await signEvent(c, { secret: second, id: 'evt_ct_1', note: 'n', now: NOW }),
      }
      const wrong = c.anySecret
        ? await signEvent(c, { secret: `${first}-not`, id: 'evt_ct_1', note: 'n', now: NOW })
        : undefined
      const a = await readsOfAsync(() => rotating.verify(requests.first, { now: NOW }))
      const b = await readsOfAsync(() => rotating.verify(requests.second, { now: NOW }))
      expect((await rotating.verify(requests.first, { now: NOW })).ok).toBe(true)
      expect(a.reads).toBeGreaterThan(0)
      expect(b).toEqual(a)
      if (wrong) {
        const w = await readsOfAsync(() => rotating.verify(wrong, { now: NOW }))
        expect((await rotating.verify(wrong, { now: NOW })).ok).toBe(false)
        expect(w).toEqual(a)
      }
      record('constant time in structure', { preset: c.name, reads: a.reads, comparisons: a.calls })
    })
  }
})
