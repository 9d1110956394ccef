// Signature headers stay out of WebhookEvent.headers by default: whoever reads the queue or a log
// of events must not be able to replay the delivery.
import { describe, expect, it } from 'vitest'
import { github, shopify, standardWebhooks, stripe } from '../../src/providers/index.js'
import {
  signGitHubRequest,
  signShopifyRequest,
  signStandardWebhooksRequest,
  signStripeRequest,
} from '../../src/testing/index.js'
import type { Provider, WebhookEvent, WebhookRequest } from '../../src/types.js'
import { receiver } from './receiver.js'

const WHSEC = `whsec_${btoa('signature-headers-test-key-32byt')}`

async function eventOf(provider: Provider, request: WebhookRequest, keepSignatureHeaders?: boolean) {
  const { handler, events } = receiver(provider, { keepSignatureHeaders })
  expect((await handler.handle(request)).status).toBe(200)
  return events[0] as WebhookEvent
}

describe('WebhookEvent.headers', () => {
  const cases: [string, () => Provider, () => Promise<WebhookRequest>, string[]][] = [
    [
      'stripe',
      () => stripe({ secret: 's' }),
      () => signStripeRequest({ secret: 's', body: { id: 'e' } }),
      ['stripe-signature'],
    ],
    [
      'github',
      () => github({ secret: 's' }),
      async () => {
        const request = await signGitHubRequest({ secret: 's', body: { a: 1 } })
        // GitHub sends the SHA-1 signature beside the SHA-256 one.
        return { ...request, headers: { ...(request.headers as Record<string, string>), 'x-hub-signature': 'sha1=00' } }
      },
      ['x-hub-signature-256', 'x-hub-signature'],
    ],
    [
      'shopify',
      () => shopify({ secret: 's' }),
      () => signShopifyRequest({ secret: 's', body: { a: 1 } }),
      ['x-shopify-hmac-sha256'],
    ],
    [
      'standardWebhooks',
      () => standardWebhooks({ secret: WHSEC }),
      () => signStandardWebhooksRequest({ secret: WHSEC, body: { type: 't' } }),
      ['webhook-signature'],
    ],
  ]

  for (const [name, provider, sign, headers] of cases) {
    it(`${name}: leaves out ${headers.join(', ')} by default, keeps the rest`, async () => {
      const request = await sign()
      for (const header of headers) expect(Object.keys(request.headers).map((h) => h.toLowerCase())).toContain(header)
      const event = await eventOf(provider(), request)
      for (const header of headers) expect(event.headers).not.toHaveProperty(header)
      expect(event.headers['content-type']).toBe('application/json')
    })

    it(`${name}: keepSignatureHeaders keeps them`, async () => {
      const request = await sign()
      const event = await eventOf(provider(), request, true)
      for (const header of headers) expect(event.headers[header]).toBeTruthy()
    })
  }
})
