import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore, type Provider, type WebhookEvent } from '../../src/index.js'
import {
  discord,
  github,
  linear,
  paddle,
  shopify,
  slack,
  standardWebhooks,
  stripe,
  twilio,
} from '../../src/providers/index.js'
import { deliveryProfile } from '../../src/simulator/profiles.js'
import { SAMPLE_PROVIDERS, type SampleProvider, sampleEvent, sampleEventTypes } from '../../src/testing/index.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const keys = generateKeyPairSync('ed25519')
const PRIVATE_PEM = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const PUBLIC_HEX = (keys.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex')
const URL = 'https://hooks.example.test/webhooks'

const presets: Record<SampleProvider, () => Provider> = {
  stripe: () => stripe({ secret: SECRET }),
  github: () => github({ secret: SECRET }),
  slack: () => slack({ secret: SECRET }),
  shopify: () => shopify({ secret: SECRET }),
  'standard-webhooks': () => standardWebhooks({ secret: SECRET }),
  twilio: () => twilio({ secret: SECRET }),
  discord: () => discord({ publicKey: PUBLIC_HEX }),
  paddle: () => paddle({ secret: SECRET }),
  linear: () => linear({ secret: SECRET }),
}

const DISCORD_INTERACTION_TYPES: Record<string, string> = { APPLICATION_COMMAND: '2', MESSAGE_COMPONENT: '3' }

const cases = SAMPLE_PROVIDERS.flatMap((provider) =>
  sampleEventTypes(provider).map((type) => [provider, type] as const),
)

describe('sample events', () => {
  it('cover at least three types for each of the nine providers the issue names', () => {
    expect([...SAMPLE_PROVIDERS].sort()).toEqual(
      ['discord', 'github', 'linear', 'paddle', 'shopify', 'slack', 'standard-webhooks', 'stripe', 'twilio'].sort(),
    )
    for (const provider of SAMPLE_PROVIDERS) expect(sampleEventTypes(provider).length).toBeGreaterThanOrEqual(3)
  })

  it.each(cases)(
    '%s %s: signed by the CLI profile, accepted by the preset with its type and id',
    async (provider, type) => {
      const event = sampleEvent(provider, type, { id: provider === 'discord' ? '1300000000000000001' : undefined })
      const profile = deliveryProfile(provider)!
      const request = await profile.sign({
        event,
        secret: provider === 'discord' ? PRIVATE_PEM : SECRET,
        url: URL,
        now: Date.now(),
        retry: 0,
      })
      const enqueued: WebhookEvent[] = []
      const handler = createWebhookHandler({
        provider: presets[provider](),
        store: memoryStore(),
        enqueue: async (received) => {
          enqueued.push(received)
        },
      })
      const response = await handler.handle(request)
      expect(response.status, response.body).toBeLessThan(300)
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]?.type).toBe(DISCORD_INTERACTION_TYPES[type] ?? type)
      // Discord webhook events carry no id (the preset hashes the body); every other sample's id is the event id.
      if (!(provider === 'discord' && type === 'APPLICATION_AUTHORIZED')) expect(enqueued[0]?.id).toBe(event.id)
    },
  )

  it('are deterministic, take an id and a time, and name what exists when asked for something unknown', () => {
    expect(sampleEvent('stripe', 'invoice.paid')).toEqual(sampleEvent('stripe', 'invoice.paid'))
    const later = sampleEvent('stripe', 'invoice.paid', { id: 'evt_custom', now: Date.UTC(2027, 0, 1) })
    expect(later.body).toMatchObject({ id: 'evt_custom', created: Date.UTC(2027, 0, 1) / 1000 })
    expect(() => sampleEvent('stripe', 'invoice.pay')).toThrow(/no sample event "invoice.pay"; known: .*invoice\.paid/)
    expect(() => sampleEvent('strype', 'invoice.paid')).toThrow(/samples exist for: stripe, github/)
    expect(sampleEventTypes('constructor')).toEqual([])
  })
})
