import { describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookEvent } from '../../src/index.js'
import { github } from '../../src/providers/index.js'
import { signGitHubRequest } from '../../src/testing/index.js'

const SECRET = 'github-ping-secret'
const PING = { zen: 'Keep it logically awesome.', hook_id: 12345678, hook: { type: 'Repository', active: true } }

function setup(options: { enqueuePing?: boolean } = {}) {
  const enqueued: WebhookEvent[] = []
  const handler = createWebhookHandler({
    provider: github({ secret: SECRET, ...options }),
    store: memoryStore(),
    logger: false,
    onWarning: () => {},
    enqueue: async (event) => void enqueued.push(event),
  })
  return { handler, enqueued }
}

describe('github ping', () => {
  it('answers a verified ping 200 without enqueueing it', async () => {
    const { handler, enqueued } = setup()
    const ping = await signGitHubRequest({ secret: SECRET, event: 'ping', id: 'ping-1', body: PING })
    const answer = await handler.handle(ping)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toEqual({ ok: true, ping: true })
    expect(enqueued).toHaveLength(0)
    const forged = await signGitHubRequest({ secret: 'not-the-secret', event: 'ping', id: 'ping-2', body: PING })
    expect((await handler.handle(forged)).status).toBe(401)
  })

  it('enqueues the ping like any event with enqueuePing: true', async () => {
    const { handler, enqueued } = setup({ enqueuePing: true })
    const ping = await signGitHubRequest({ secret: SECRET, event: 'ping', id: 'ping-3', body: PING })
    expect(JSON.parse((await handler.handle(ping)).body)).toEqual({ ok: true, id: 'ping-3' })
    expect(enqueued.map((e) => e.type)).toEqual(['ping'])
  })

  it('does not take a signed event for a ping because of the unsigned X-GitHub-Event header alone', async () => {
    const { handler, enqueued } = setup()
    const push = await signGitHubRequest({
      secret: SECRET,
      event: 'ping',
      id: 'push-1',
      body: { ref: 'refs/heads/main' },
    })
    expect(JSON.parse((await handler.handle(push)).body)).toEqual({ ok: true, id: 'push-1' })
    expect(enqueued).toHaveLength(1)
  })
})
