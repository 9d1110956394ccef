import { describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookEvent } from '../../src/index.js'
import { contentful } from '../../src/providers/index.js'
import { signContentfulRequest } from '../../src/testing/index.js'

const secret = 'a'.repeat(64)

async function emptyBodyDelivery(path: string, now: number) {
  const request = await signContentfulRequest({
    secret,
    method: 'DELETE',
    url: `https://example.test${path}`,
    body: '',
    now,
    topic: 'ContentManagement.Entry.delete',
  })
  // The idempotency key is not signed and may be absent.
  const headers = { ...(request.headers as Record<string, string>) }
  for (const name of Object.keys(headers))
    if (name.toLowerCase() === 'x-contentful-idempotency-key') delete headers[name]
  return { ...request, headers }
}

describe('contentful: empty-body deliveries without an idempotency key', () => {
  it('two different DELETE webhooks are two events, and a replay of one is a duplicate', async () => {
    const now = Date.UTC(2026, 11, 1)
    const queued: WebhookEvent[] = []
    const handler = createWebhookHandler({
      provider: contentful({ secret }),
      store: memoryStore(),
      now: () => now,
      logger: false,
      enqueue: async (event) => {
        queued.push(event)
      },
    })
    const first = await emptyBodyDelivery('/webhooks/entries/one', now - 1000)
    const second = await emptyBodyDelivery('/webhooks/entries/two', now - 500)
    expect((await handler.handle(first)).status).toBe(200)
    expect((await handler.handle(second)).status).toBe(200)
    expect(queued).toHaveLength(2)
    expect(queued[0]?.id).not.toBe(queued[1]?.id)
    const replay = await handler.handle(first)
    expect(replay.status).toBe(200)
    expect(JSON.parse(replay.body)).toMatchObject({ duplicate: true })
    expect(queued).toHaveLength(2)
  })
})
