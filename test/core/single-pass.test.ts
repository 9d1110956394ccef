// Work done once per delivery (issue 16): one UTF-8 decode of the body, one header pass, and no
// timer for a store and queue that answer without I/O. Counted, never timed.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookEvent } from '../../src/index.js'
import { github } from '../../src/providers/index.js'
import { normalizedHeadersFromRaw, normalizeHeaders } from '../../src/request.js'
import { signGitHubRequest } from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'

const SECRET = 'single-pass-secret'

function setup(enqueue: (event: WebhookEvent) => Promise<void> = async () => {}) {
  return createWebhookHandler({ provider: github({ secret: SECRET }), store: memoryStore(), enqueue })
}

async function delivery(body: string | Uint8Array, id = globalThis.crypto.randomUUID()): Promise<WebhookRequest> {
  const signed = await signGitHubRequest({ secret: SECRET, body, event: 'issues', id })
  return { ...signed, body: typeof body === 'string' ? new TextEncoder().encode(body) : body }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('handle() does each step once per delivery', () => {
  it('decodes the body from UTF-8 once, for the payload and the event body alike', async () => {
    const events: WebhookEvent[] = []
    const handler = setup(async (event) => {
      events.push(event)
    })
    const request = await delivery('{"action":"opened","text":"grüße"}')
    const decode = vi.spyOn(TextDecoder.prototype, 'decode')
    expect((await handler.handle(request)).status).toBe(200)
    expect(decode).toHaveBeenCalledTimes(1)
    expect(events[0]?.body).toBe('{"action":"opened","text":"grüße"}')
    expect(events[0]?.payload).toEqual({ action: 'opened', text: 'grüße' })
  })

  it('keeps a leading byte-order mark in the event body and parses the payload without it, from one decode', async () => {
    const events: WebhookEvent[] = []
    const handler = setup(async (event) => {
      events.push(event)
    })
    const request = await delivery(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":1}')]))
    const decode = vi.spyOn(TextDecoder.prototype, 'decode')
    expect((await handler.handle(request)).status).toBe(200)
    expect(decode).toHaveBeenCalledTimes(1)
    expect(events[0]?.body).toBe('\uFEFF{"a":1}')
    expect(events[0]?.payload).toEqual({ a: 1 })
  })

  it('still sends invalid UTF-8 as base64 and refuses it as JSON', async () => {
    const handler = setup()
    const request = await delivery(new Uint8Array([0x7b, 0xff, 0x7d]))
    const response = await handler.handle(request)
    expect(response.status).toBe(400)
    expect(response.body).toContain('invalid_body')
  })

  it('arms no timer when the store and the queue answer without I/O', async () => {
    const handler = setup()
    const requests = await Promise.all([delivery('{"n":1}'), delivery('{"n":2}')])
    const setTimer = vi.spyOn(globalThis, 'setTimeout')
    for (const request of requests) expect((await handler.handle(request)).status).toBe(200)
    expect(setTimer).not.toHaveBeenCalled()
  })

  it('still times out a queue that does not answer', async () => {
    const handler = createWebhookHandler({
      provider: github({ secret: SECRET }),
      store: memoryStore(),
      enqueueTimeoutMs: 30,
      enqueue: (_event, { signal }) =>
        new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    })
    const response = await handler.handle(await delivery('{"n":3}'))
    expect(response.status).toBe(503)
    expect(response.body).toContain('enqueue_timeout')
  })
})

describe('normalised headers', () => {
  it('normalizeHeaders hands its own record back as it is, and copies anything else', () => {
    const once = normalizeHeaders({ 'X-A': '1', 'x-a': '2', B: ['3', '4'] })
    expect({ ...once }).toEqual({ 'x-a': '1, 2', b: '3, 4' })
    expect(normalizeHeaders(once)).toBe(once)
    const plain = { 'x-a': '1' }
    expect(normalizeHeaders(plain)).not.toBe(plain)
  })

  it("normalizedHeadersFromRaw gives what normalizeHeaders gives for Node's headersDistinct", () => {
    const raw = ['Host', 'example.test', 'X-Hub-Signature-256', 'sha256=ab', 'Accept', 'a', 'accept', 'b']
    const distinct = { host: ['example.test'], 'x-hub-signature-256': ['sha256=ab'], accept: ['a', 'b'] }
    const fast = normalizedHeadersFromRaw(raw)
    expect({ ...fast }).toEqual({ ...normalizeHeaders(distinct) })
    expect(normalizeHeaders(fast)).toBe(fast)
  })

  it('the records inherit nothing: no Object.prototype names, and __proto__ is an own header', () => {
    const fromObject = normalizeHeaders({ __proto__: null, 'X-A': '1' } as unknown as Record<string, string>)
    const fromRaw = normalizedHeadersFromRaw(['__proto__', 'p', 'X-B', '2'])
    for (const record of [fromObject, fromRaw]) {
      for (const inherited of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
        if (!Object.hasOwn(record, inherited)) expect(record[inherited], inherited).toBeUndefined()
      }
      const prototype = Object.getPrototypeOf(record) as object
      expect(Reflect.ownKeys(prototype)).toEqual([])
      expect(Object.getPrototypeOf(prototype)).toBeNull()
      expect(Object.isFrozen(prototype)).toBe(true)
    }
    expect(Object.hasOwn(fromRaw, '__proto__')).toBe(true)
    expect(Reflect.get(fromRaw, '__proto__')).toBe('p')
    const odd = Object.defineProperty({ 'X-C': '3' }, '__proto__', { value: 'q', enumerable: true })
    const copied = normalizeHeaders(odd)
    expect(Object.hasOwn(copied, '__proto__')).toBe(true)
    expect({ ...copied }).toEqual(Object.defineProperty({ 'x-c': '3' }, '__proto__', { value: 'q', enumerable: true }))
  })

  it('handle() takes the raw-headers form and answers and builds the event as from a plain object', async () => {
    const events: WebhookEvent[] = []
    const handler = setup(async (event) => {
      events.push(event)
    })
    const request = await delivery('{"n":4}', 'delivery-raw')
    const raw = Object.entries(request.headers as Record<string, string>).flat()
    const fromRaw = await handler.handle({ ...request, headers: normalizedHeadersFromRaw(raw) })
    expect(fromRaw.status).toBe(200)
    const again = await handler.handle(request)
    expect(again.status).toBe(200)
    expect(again.body).toContain('duplicate')
    expect(events).toHaveLength(1)
    expect(events[0]?.headers).toEqual({
      'content-type': 'application/json',
      'x-github-delivery': 'delivery-raw',
      'x-github-event': 'issues',
      'user-agent': 'GitHub-Hookshot/test',
    })
  })
})

describe('event headers', () => {
  it('keep a header named __proto__ as an own field, as before', async () => {
    const events: WebhookEvent[] = []
    const handler = setup(async (event) => {
      events.push(event)
    })
    const request = await delivery('{"n":5}')
    const headers = { ...(request.headers as Record<string, string>) }
    Object.defineProperty(headers, '__proto__', { value: 'x', enumerable: true })
    expect((await handler.handle({ ...request, headers })).status).toBe(200)
    const event = events[0] as WebhookEvent
    expect(Object.hasOwn(event.headers, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype)
    expect(Object.keys(event.headers)).not.toContain('x-hub-signature-256')
  })
})
