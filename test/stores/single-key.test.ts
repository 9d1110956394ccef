import { describe, expect, it } from 'vitest'
import { createWebhookHandler } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { singleKeyStore } from '../../src/stores/single-key.js'
import type { ClaimResult, SingleKeyDedupeStore } from '../../src/stores/types.js'
import { signStripeRequest } from '../../src/testing/signers.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'

// A store written for the one-key contract, as users wrote them before several keys per delivery.
function oneKeyStore(now: () => number): SingleKeyDedupeStore & { seen: unknown[] } {
  const entries = new Map<string, { token?: string; expiresAt: number }>()
  const seen: unknown[] = []
  const live = (key: string) => {
    const entry = entries.get(key)
    return entry && entry.expiresAt > now() ? entry : undefined
  }
  return {
    seen,
    async claim(key, { leaseMs }): Promise<ClaimResult> {
      seen.push(key)
      const entry = live(key)
      if (entry) return { state: entry.token === undefined ? 'duplicate' : 'in-flight' }
      const token = globalThis.crypto.randomUUID()
      entries.set(key, { token, expiresAt: now() + leaseMs })
      return { state: 'claimed', token }
    },
    async complete(key, token, { retentionMs }) {
      if (live(key)?.token !== token) return false
      entries.set(key, { expiresAt: now() + retentionMs })
      return true
    },
    async release(key, token) {
      if (live(key)?.token !== token) return false
      entries.delete(key)
      return true
    },
  }
}

describe('singleKeyStore', () => {
  let time = Date.UTC(2026, 0, 1)
  testDedupeStore({
    name: 'singleKeyStore(a one-key store)',
    create: () => singleKeyStore(oneKeyStore(() => time)),
    advance: (ms) => {
      time += ms
    },
    describe,
    it,
    expect,
  })

  it('the handler wraps a store without multiKey, warns once, and claims each key as a string', async () => {
    const legacy = oneKeyStore(Date.now)
    const warnings: string[] = []
    const handler = createWebhookHandler({
      provider: stripe({ secret: 'whsec_test' }),
      store: legacy as never,
      enqueue: () => {},
      onWarning: (message) => warnings.push(message),
    })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('multiKey')
    const request = await signStripeRequest({ secret: 'whsec_test', body: { id: 'evt_1', type: 'invoice.paid' } })
    expect((await handler.handle(request)).status).toBe(200)
    expect(legacy.seen.length).toBeGreaterThan(0)
    expect(legacy.seen.every((key) => typeof key === 'string')).toBe(true)
    expect(legacy.seen[0]).toBe('stripe:evt_1')
    expect(JSON.parse((await handler.handle(request)).body)).toMatchObject({ duplicate: true })
  })
})
