import { describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, memoryStore, type Provider, type WebhookRequest } from '../../src/index.js'
import { hubspot, sanity, stripe } from '../../src/providers/index.js'
import { signHubSpotRequest, signSanityRequest, signStripeRequest } from '../../src/testing/index.js'
import { presetSamples } from '../providers/samples/index.js'

// An id in flight must get an answer the provider retries: AWS SNS, Sanity and HubSpot treat a
// 4xx as final, so a 409 there would drop the event if the first attempt then failed.
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

async function inFlightAnswer(provider: Provider, request: () => Promise<WebhookRequest>) {
  let finish: (() => void) | undefined
  const handler = createWebhookHandler({
    provider,
    store: memoryStore({ now: () => NOW }),
    now: () => NOW,
    enqueue: () => new Promise<void>((resolve) => (finish = resolve)),
  })
  const first = handler.handle(await request())
  await vi.waitFor(() => expect(finish).toBeTypeOf('function'))
  const second = await handler.handle(await request())
  finish?.()
  expect((await first).status).toBe(200)
  return second
}

const covers = (ranges: readonly (readonly [number, number])[], status: number) =>
  ranges.some(([low, high]) => low <= status && status <= high)

describe('the in-flight answer is one the provider retries', () => {
  it('Sanity (429 and 5xx retried, 4xx final): 503 + Retry-After', async () => {
    const body = '{"_id":"doc-1","_rev":"r1"}'
    const answer = await inFlightAnswer(sanity({ secret: 'sanity-secret' }), () =>
      signSanityRequest({ secret: 'sanity-secret', body, now: NOW, idempotencyKey: 'idem-1' }),
    )
    expect(answer.status).toBe(503)
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(answer.body).error.code).toBe('in_flight')
  })

  it('HubSpot (4xx other than 429 final): 503 + Retry-After', async () => {
    const url = 'https://example.com/webhooks/hubspot'
    const body = '[{"eventId":1,"subscriptionType":"contact.creation"}]'
    const answer = await inFlightAnswer(hubspot({ secret: 'hs-secret' }), () =>
      signHubSpotRequest({ secret: 'hs-secret', body, now: NOW, url }),
    )
    expect(answer.status).toBe(503)
    expect(answer.headers['retry-after']).toBeDefined()
  })

  it('Stripe (every non-2xx retried): 409 + Retry-After', async () => {
    const answer = await inFlightAnswer(stripe({ secret: 'whsec_x' }), () =>
      signStripeRequest({ secret: 'whsec_x', now: NOW, body: { id: 'evt_1', type: 'invoice.paid' } }),
    )
    expect(answer.status).toBe(409)
    expect(answer.headers['retry-after']).toBeDefined()
  })

  it('every preset states what its provider retries, and its in-flight status is among them', () => {
    for (const [name, make] of Object.entries(presetSamples)) {
      // The generic preset takes retriedStatuses from its caller.
      if (name === 'hmac') continue
      const provider = make()
      const retried = provider.retriedStatuses
      expect(retried, `${name}: retriedStatuses`).toBeDefined()
      expect(provider.info?.retries, `${name}: info.retries`).toBeTruthy()
      const ranges = retried ?? []
      // Providers that never retry by themselves get 409 (a failed delivery, for manual redelivery).
      if (ranges.length === 0) continue
      const status = covers(ranges, 409) ? 409 : 503
      expect(covers(ranges, status), `${name}: in-flight ${status} is retried`).toBe(true)
    }
    expect(presetSamples.awsSns?.().retriedStatuses).toEqual([[500, 599]])
  })
})
