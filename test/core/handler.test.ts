import { describe, expect, it, vi } from 'vitest'
import {
  createWebhookHandler,
  isWebhookError,
  memoryStore,
  type WebhookEvent,
  type WebhookHandlerOptions,
} from '../../src/index.js'
import { defineProvider, stripe } from '../../src/providers/index.js'
import { recordingStore, signStripeRequest, toFetchRequest } from '../../src/testing/index.js'
import { verifyHmac } from '../../src/verifiers/index.js'

const SECRET = 'whsec_handler_test'
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
  const enqueued: WebhookEvent[] = []
  const store = recordingStore(memoryStore({ now: () => NOW }))
  const handler = createWebhookHandler({
    provider: stripe({ secret: SECRET }),
    store,
    now: () => NOW,
    enqueue: async (event) => {
      enqueued.push(event)
    },
    ...overrides,
  })
  return { handler, store, enqueued }
}

function delivery(id = 'evt_1', extra: Record<string, unknown> = {}) {
  return signStripeRequest({ secret: SECRET, now: NOW, body: { id, type: 'invoice.paid', object: 'event', ...extra } })
}

const json = (body: string) => JSON.parse(body)

describe('createWebhookHandler: the HTTP answers', () => {
  it('200 with the id for an accepted delivery, enqueued once with a JSON-safe event', async () => {
    const { handler, enqueued, store } = setup()
    const response = await handler.handle(await delivery('evt_ok'))
    expect(response.status).toBe(200)
    expect(json(response.body)).toEqual({ ok: true, id: 'evt_ok' })
    expect(enqueued).toHaveLength(1)
    const event = enqueued[0] as WebhookEvent
    expect(event).toMatchObject({ provider: 'stripe', id: 'evt_ok', type: 'invoice.paid', payload: { id: 'evt_ok' } })
    expect(event.receivedAt).toBe(new Date(NOW).toISOString())
    expect(event.timestamp).toBe(new Date(Math.floor(NOW / 1000) * 1000).toISOString())
    expect(JSON.parse(JSON.stringify(event))).toStrictEqual(event)
    // Signature headers are left out of events by default (keepSignatureHeaders).
    expect(event.headers['stripe-signature']).toBeUndefined()
    expect(store.calls.map((c) => c.op)).toEqual(['claim', 'complete'])
  })

  it('200 duplicate for an id already processed, without enqueueing again', async () => {
    const { handler, enqueued } = setup()
    await handler.handle(await delivery('evt_dup'))
    const again = await handler.handle(await delivery('evt_dup'))
    expect(again.status).toBe(200)
    expect(json(again.body)).toEqual({ ok: true, duplicate: true, id: 'evt_dup' })
    expect(enqueued).toHaveLength(1)
  })

  it('409 with Retry-After while the same id is in flight elsewhere', async () => {
    let finish: (() => void) | undefined
    const { handler } = setup({
      enqueue: () => new Promise<void>((resolve) => (finish = resolve)),
    })
    const first = handler.handle(await delivery('evt_busy'))
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'))
    const second = await handler.handle(await delivery('evt_busy'))
    expect(second.status).toBe(409)
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(json(second.body).error.code).toBe('in_flight')
    finish?.()
    expect((await first).status).toBe(200)
  })

  it('405 with Allow for another method', async () => {
    const { handler, enqueued } = setup()
    const response = await handler.handle({ ...(await delivery()), method: 'GET' })
    expect(response.status).toBe(405)
    expect(response.headers.allow).toBe('POST')
    expect(json(response.body).error.code).toBe('method_not_allowed')
    expect(enqueued).toHaveLength(0)
  })

  it('413 for a body over maxBodyBytes (string and bytes)', async () => {
    const { handler } = setup({ maxBodyBytes: 64 })
    const request = await delivery('evt_big', { padding: 'x'.repeat(100) })
    expect((await handler.handle(request)).status).toBe(413)
    const bytes = new TextEncoder().encode(request.body as string)
    const response = await handler.handle({ ...request, body: bytes })
    expect(response.status).toBe(413)
    expect(json(response.body).error.code).toBe('body_too_large')
  })

  it('401 for missing, malformed and wrong signatures and stale or future timestamps, never echoing a signature', async () => {
    const { handler, enqueued } = setup()
    const good = await delivery('evt_sig')
    const headers = good.headers as Record<string, string>
    const signature = headers['stripe-signature'] as string
    const cases: [Record<string, string>, string][] = [
      [{}, 'missing_signature'],
      [{ 'stripe-signature': 'nonsense' }, 'missing_timestamp'],
      [{ 'stripe-signature': `t=${Math.floor(NOW / 1000)}` }, 'malformed_signature'],
      [{ 'stripe-signature': signature.replace(/v1=./, 'v1=0') }, 'invalid_signature'],
    ]
    for (const [replacement, code] of cases) {
      const { 'stripe-signature': _, ...rest } = headers
      const response = await handler.handle({ ...good, headers: { ...rest, ...replacement } })
      expect(response.status).toBe(401)
      expect(json(response.body).error.code).toBe(code)
      expect(response.body).not.toContain(signature.slice(-20))
      expect(response.body).not.toContain(SECRET)
    }
    const stale = await signStripeRequest({ secret: SECRET, now: NOW - 301_000, body: { id: 'evt_old' } })
    expect(json((await handler.handle(stale)).body).error.code).toBe('timestamp_too_old')
    const future = await signStripeRequest({ secret: SECRET, now: NOW + 301_000, body: { id: 'evt_new' } })
    expect(json((await handler.handle(future)).body).error.code).toBe('timestamp_in_future')
    expect(enqueued).toHaveLength(0)
  })

  it('400 when the signature is good but the body is not parseable', async () => {
    const { handler, store } = setup()
    const request = await signStripeRequest({ secret: SECRET, now: NOW, body: '{not json' })
    const response = await handler.handle(request)
    expect(response.status).toBe(400)
    expect(json(response.body).error.code).toBe('invalid_body')
    expect(store.calls).toHaveLength(0)
  })

  it('503 when the store is unreachable, and the next delivery is processed', async () => {
    const { handler, store, enqueued } = setup()
    store.failNext('claim')
    const response = await handler.handle(await delivery('evt_store'))
    expect(response.status).toBe(503)
    expect(json(response.body).error.code).toBe('store_unavailable')
    expect(enqueued).toHaveLength(0)
    expect((await handler.handle(await delivery('evt_store'))).status).toBe(200)
    expect(enqueued).toHaveLength(1)
  })

  it('503 when a custom store answers a claim with something that is not a ClaimResult', async () => {
    const onError = vi.fn()
    const inner = memoryStore()
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      now: () => NOW,
      store: { ...inner, claim: async () => ({ state: 'maybe' }) as never },
      enqueue: () => {},
      onError,
    })
    const response = await handler.handle(await delivery('evt_weird'))
    expect(response.status).toBe(503)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'claim', id: 'evt_weird' }))
  })

  it('503 when the store does not answer within storeTimeoutMs', async () => {
    const { handler, store } = setup({ storeTimeoutMs: 20 })
    store.delay('claim', 200)
    const response = await handler.handle(await delivery('evt_slow_store'))
    expect(response.status).toBe(503)
    expect(json(response.body).error.code).toBe('store_timeout')
  })

  it('500 when enqueue throws: the claim is released first and the retry is processed', async () => {
    let fail = true
    const enqueued: string[] = []
    const onError = vi.fn()
    const { handler, store } = setup({
      onError,
      enqueue: async (event) => {
        if (fail) throw new Error('queue down')
        enqueued.push(event.id)
      },
    })
    const response = await handler.handle(await delivery('evt_retry'))
    expect(response.status).toBe(500)
    expect(json(response.body).error.code).toBe('enqueue_failed')
    expect(store.calls.map((c) => c.op)).toEqual(['claim', 'release'])
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'enqueue', id: 'evt_retry' }))
    fail = false
    expect((await handler.handle(await delivery('evt_retry'))).status).toBe(200)
    expect(enqueued).toEqual(['evt_retry'])
  })

  it('503 when enqueue times out: the claim is released and the retry is processed', async () => {
    let hang = true
    const { handler, store } = setup({
      enqueueTimeoutMs: 20,
      enqueue: () => (hang ? new Promise(() => {}) : undefined),
    })
    const response = await handler.handle(await delivery('evt_hang'))
    expect(response.status).toBe(503)
    expect(json(response.body).error.code).toBe('enqueue_timeout')
    expect(store.calls.map((c) => c.op)).toEqual(['claim', 'release'])
    hang = false
    expect((await handler.handle(await delivery('evt_hang'))).status).toBe(200)
  })

  it('answers 200 when complete keeps failing after a good enqueue, retrying it and reporting through onError', async () => {
    const onError = vi.fn()
    const { handler, store, enqueued } = setup({ onError })
    store.failNext('complete', { count: 3 })
    const response = await handler.handle(await delivery('evt_complete'))
    expect(response.status).toBe(200)
    expect(enqueued).toHaveLength(1)
    expect(store.calls.filter((c) => c.op === 'complete')).toHaveLength(3)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'complete', id: 'evt_complete' }))
  })

  it('a complete that succeeds on its second try answers 200 and reports nothing', async () => {
    const onError = vi.fn()
    const { handler, store } = setup({ onError })
    store.failNext('complete')
    expect((await handler.handle(await delivery('evt_complete2'))).status).toBe(200)
    expect(onError).not.toHaveBeenCalled()
    expect((await handler.handle(await delivery('evt_complete2'))).status).toBe(200)
    expect(json((await handler.handle(await delivery('evt_complete2'))).body).duplicate).toBe(true)
  })

  it('50 concurrent deliveries of one id enqueue exactly once', async () => {
    const { handler, enqueued } = setup()
    const request = await delivery('evt_race')
    const responses = await Promise.all(Array.from({ length: 50 }, () => handler.handle(request)))
    expect(enqueued).toHaveLength(1)
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s === 200).length + statuses.filter((s) => s === 409).length).toBe(50)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1)
  })

  it('answers a handshake without dedupe or enqueue', async () => {
    const enqueue = vi.fn()
    const store = recordingStore()
    const provider = defineProvider({
      name: 'shake',
      verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-sig'), secret: 's' }),
      handshake: (_d, payload: { challenge?: string }) =>
        payload.challenge
          ? { status: 200, headers: { 'content-type': 'text/plain' }, body: payload.challenge }
          : undefined,
    })
    const handler = createWebhookHandler({ provider, store, enqueue })
    const { signHmacRequest } = await import('../../src/testing/index.js')
    const request = await signHmacRequest({ secret: 's', header: 'x-sig', body: { challenge: 'abc' } })
    expect(await handler.handle(request)).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'abc',
    })
    expect(enqueue).not.toHaveBeenCalled()
    expect(store.calls).toHaveLength(0)
  })

  it('uses the SHA-256 of the signed material as the id when the provider gives none', async () => {
    const enqueued: WebhookEvent[] = []
    const provider = defineProvider({
      name: 'noid',
      verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-sig'), secret: 's' }),
    })
    const handler = createWebhookHandler({ provider, store: memoryStore(), enqueue: (e) => void enqueued.push(e) })
    const { signHmacRequest } = await import('../../src/testing/index.js')
    const request = await signHmacRequest({ secret: 's', header: 'x-sig', body: '{"a":1}' })
    await handler.handle(request)
    const { createHash } = await import('node:crypto')
    expect(enqueued[0]?.id).toBe(`sha256:${createHash('sha256').update('{"a":1}').digest('hex')}`)
    expect(json((await handler.handle(request)).body).duplicate).toBe(true)
  })

  it('keeps credentials out of events and base64-encodes a body that is not UTF-8', async () => {
    const enqueued: WebhookEvent[] = []
    const provider = defineProvider({
      name: 'bin',
      body: 'text',
      sensitiveHeaders: ['X-Token'],
      verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-sig'), secret: 's' }),
    })
    const handler = createWebhookHandler({ provider, store: memoryStore(), enqueue: (e) => void enqueued.push(e) })
    const { signHmacRequest } = await import('../../src/testing/index.js')
    const body = new Uint8Array([0xff, 0xfe, 0x00, 0x41])
    const request = await signHmacRequest({
      secret: 's',
      header: 'x-sig',
      body,
      headers: { authorization: 'Basic dXNlcjpwYXNz', 'x-token': 'secret-token', cookie: 'a=b', 'x-keep': 'yes' },
    })
    expect((await handler.handle(request)).status).toBe(200)
    const event = enqueued[0] as WebhookEvent
    expect(event.bodyEncoding).toBe('base64')
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from(body))
    expect(event.headers).not.toHaveProperty('authorization')
    expect(event.headers).not.toHaveProperty('x-token')
    expect(event.headers).not.toHaveProperty('cookie')
    expect(event.headers['x-keep']).toBe('yes')
    expect(JSON.parse(JSON.stringify(event))).toStrictEqual(event)
  })
})

describe('createWebhookHandler: edges found in review', () => {
  it('stops retrying complete at the provider response deadline', async () => {
    const onError = vi.fn()
    const store = recordingStore(memoryStore())
    store.delay('complete', 150)
    store.failNext('complete', { count: 3 })
    const handler = createWebhookHandler({
      provider: { ...stripe({ secret: SECRET }), responseDeadlineMs: 300 },
      store,
      now: () => NOW,
      storeTimeoutMs: 200,
      enqueueTimeoutMs: 100,
      enqueue: () => {},
      onError,
    })
    expect((await handler.handle(await delivery('evt_deadline'))).status).toBe(200)
    // Three full attempts would take 450 ms, past the 300 ms deadline.
    expect(store.calls.filter((c) => c.op === 'complete').length).toBeLessThan(3)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'complete', id: 'evt_deadline' }))
  })

  it('leaves out a signed timestamp that Date cannot represent instead of throwing', async () => {
    const enqueued: WebhookEvent[] = []
    const provider = defineProvider({ name: 'far', verify: async () => ({ ok: true, timestamp: 9e15 }) })
    const handler = createWebhookHandler({ provider, store: memoryStore(), enqueue: (e) => void enqueued.push(e) })
    expect((await handler.handle({ method: 'POST', url: 'https://x.test/', headers: {}, body: '{}' })).status).toBe(200)
    expect(enqueued[0]).not.toHaveProperty('timestamp')
  })

  it('releases the claim when building the event fails, so the retry is processed', async () => {
    let clock = Number.NaN
    const store = recordingStore(memoryStore())
    const handler = createWebhookHandler({
      provider: defineProvider({ name: 'clock', verify: async () => ({ ok: true }) }),
      store,
      now: () => clock,
      enqueue: () => {},
      onError: () => {},
    })
    const request = { method: 'POST', url: 'https://x.test/', headers: {}, body: '{"a":1}' }
    expect((await handler.handle(request)).status).toBe(500)
    expect(store.calls.map((c) => c.op)).toEqual(['claim', 'release'])
    clock = NOW
    expect((await handler.handle(request)).status).toBe(200)
  })
})

describe('createWebhookHandler: hooks', () => {
  it('fire once each with the right data and never see a secret', async () => {
    const onAccepted = vi.fn()
    const onDuplicate = vi.fn()
    const onRejected = vi.fn()
    const { handler } = setup({ onAccepted, onDuplicate, onRejected })
    await handler.handle(await delivery('evt_hooks'))
    await handler.handle(await delivery('evt_hooks'))
    await handler.handle({ ...(await delivery('evt_forged')), body: '{"id":"evt_forged"}' })
    expect(onAccepted).toHaveBeenCalledTimes(1)
    expect(onAccepted.mock.calls[0]?.[0]).toMatchObject({ id: 'evt_hooks', provider: 'stripe' })
    expect(onDuplicate).toHaveBeenCalledTimes(1)
    expect(onDuplicate).toHaveBeenCalledWith({ provider: 'stripe', id: 'evt_hooks' })
    expect(onRejected).toHaveBeenCalledTimes(1)
    const rejected = onRejected.mock.calls[0]?.[0]
    expect(rejected.error.code).toBe('invalid_signature')
    expect(JSON.stringify({ ...rejected, message: rejected.error.message })).not.toContain(SECRET)
  })

  it('a hook that throws or rejects never changes the answer and is reported', async () => {
    const onError = vi.fn()
    const { handler, enqueued } = setup({
      onAccepted: () => {
        throw new Error('hook bug')
      },
      onDuplicate: async () => {
        throw new Error('async hook bug')
      },
      onRejected: () => {
        throw new Error('hook bug')
      },
      onError,
    })
    expect((await handler.handle(await delivery('evt_h'))).status).toBe(200)
    expect((await handler.handle(await delivery('evt_h'))).status).toBe(200)
    expect((await handler.handle({ ...(await delivery('evt_x')), body: '{}' })).status).toBe(401)
    await new Promise((r) => setTimeout(r, 0))
    expect(enqueued).toHaveLength(1)
    expect(onError.mock.calls.filter(([info]) => info.phase === 'hook')).toHaveLength(3)
  })

  it('an onError that throws is swallowed', async () => {
    const { handler, store } = setup({
      onError: () => {
        throw new Error('bad onError')
      },
    })
    store.failNext('claim')
    expect((await handler.handle(await delivery('evt_e'))).status).toBe(503)
  })
})

describe('createWebhookHandler: setup mistakes throw WebhookConfigError at once', () => {
  const enqueue = () => {}
  it.each([
    ['no provider', () => createWebhookHandler({ enqueue } as never), /`provider` is required/],
    ['no enqueue', () => createWebhookHandler({ provider: stripe({ secret: 'x' }) } as never), /`enqueue` is required/],
    ['no secret', () => stripe({} as never), /`secret` is missing/],
    ['empty secret', () => stripe({ secret: '' }), /empty/],
    ['empty secret list', () => stripe({ secret: [] }), /`secret` is missing/],
    ['secret with a newline', () => stripe({ secret: 'whsec_abc\n' }), /whitespace/],
    [
      'leaseMs not above enqueueTimeoutMs',
      () => createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue, enqueueTimeoutMs: 5000, leaseMs: 5000 }),
      /leaseMs.*must be above/,
    ],
    [
      'negative maxBodyBytes',
      () => createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue, maxBodyBytes: -1 }),
      /maxBodyBytes/,
    ],
    ['bad maxEntries', () => memoryStore({ maxEntries: 0 }), /maxEntries/],
  ])('%s', (_name, make, message) => {
    let thrown: unknown
    try {
      make()
    } catch (error) {
      thrown = error
    }
    expect(isWebhookError(thrown)).toBe(true)
    expect((thrown as Error).name).toBe('WebhookConfigError')
    expect((thrown as { code: string }).code).toBe('invalid_config')
    expect((thrown as Error).message).toMatch(/^\[webhook-inbox\]/)
    expect((thrown as Error).message).toMatch(message)
  })

  it('derives defaults from the provider', () => {
    const handler = createWebhookHandler({ provider: stripe({ secret: 'x' }), store: memoryStore(), enqueue })
    expect(handler.settings).toEqual({
      maxBodyBytes: 1024 * 1024,
      enqueueTimeoutMs: 5000,
      storeTimeoutMs: 2000,
      leaseMs: 30_000,
      retentionMs: 1.25 * 3 * 86_400_000,
    })
  })

  it('warns once that the default memory store does not dedupe across processes, or through onWarning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const onWarning = vi.fn()
    createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue, onWarning })
    expect(onWarning).toHaveBeenCalledWith(expect.stringContaining('within this process only'))
    expect(warn).not.toHaveBeenCalled()
    createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue })
    createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue })
    expect(warn).toHaveBeenCalledTimes(1)
    createWebhookHandler({ provider: stripe({ secret: 'x' }), enqueue, store: memoryStore() })
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
  })
})

describe('handler.fetch (Web Request → Response)', () => {
  it('accepts, dedupes and refuses like handle()', async () => {
    const { handler, enqueued } = setup()
    const request = await delivery('evt_fetch')
    const first = await handler.fetch(toFetchRequest(request))
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ ok: true, id: 'evt_fetch' })
    const second = await handler.fetch(toFetchRequest(request))
    expect((await second.json()).duplicate).toBe(true)
    const forged = await handler.fetch(toFetchRequest({ ...request, body: '{"id":"evt_fetch","x":1}' }))
    expect(forged.status).toBe(401)
    expect(enqueued).toHaveLength(1)
  })

  it('answers 405 before reading the body', async () => {
    const { handler } = setup()
    const response = await handler.fetch(new Request('https://example.test/webhooks', { method: 'PUT', body: 'x' }))
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
  })

  it('stops reading a stream past maxBodyBytes and answers 413', async () => {
    const { handler } = setup({ maxBodyBytes: 1024 })
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled > 1000) controller.close()
        else controller.enqueue(new Uint8Array(512))
      },
    })
    const response = await handler.fetch(
      new Request('https://example.test/webhooks', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    )
    expect(response.status).toBe(413)
    expect((await response.json()).error.code).toBe('body_too_large')
    expect(pulled).toBeLessThan(10)
  })

  it('answers 413 from Content-Length without reading', async () => {
    const { handler } = setup({ maxBodyBytes: 10 })
    const response = await handler.fetch(
      new Request('https://example.test/webhooks', { method: 'POST', body: 'x'.repeat(11) }),
    )
    expect(response.status).toBe(413)
  })

  it('explains a body that was already read', async () => {
    const { handler } = setup()
    const request = toFetchRequest(await delivery('evt_used'))
    await request.text()
    const response = await handler.fetch(request)
    expect(response.status).toBe(500)
    expect((await response.json()).error.code).toBe('body_already_parsed')
  })

  it('reports a body that fails midway (the client went away) as internal_error, not body_already_parsed', async () => {
    const onRejected = vi.fn()
    const onError = vi.fn()
    const { handler } = setup({ onRejected, onError })
    let sent = false
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new Error('socket hang up'))
        else controller.enqueue(new Uint8Array(16))
        sent = true
      },
    })
    const response = await handler.fetch(
      new Request('https://example.test/webhooks', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    )
    expect(response.status).toBe(500)
    expect((await response.json()).error.code).toBe('internal_error')
    expect(onRejected).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('sends no body with a 204 handshake', async () => {
    const provider = defineProvider({
      name: 'nocontent',
      verify: async () => ({ ok: true }),
      handshake: () => ({ status: 204, headers: {}, body: '' }),
    })
    const handler = createWebhookHandler({ provider, store: memoryStore(), enqueue: () => {} })
    const response = await handler.fetch(new Request('https://example.test/', { method: 'POST', body: '{}' }))
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
  })
})
