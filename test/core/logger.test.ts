import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookHandlerOptions } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { recordingStore, signStripeRequest } from '../../src/testing/index.js'

const SECRET = 'whsec_logger_secret_value'
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const PAYLOAD_MARK = 'payload-mark-4711'

function lines() {
  const written: Array<{ level: 'warn' | 'error'; message: string }> = []
  return {
    written,
    logger: {
      warn: (message: string) => void written.push({ level: 'warn', message }),
      error: (message: string) => void written.push({ level: 'error', message }),
    },
  }
}

function handlerWith(overrides: Partial<WebhookHandlerOptions> = {}) {
  return createWebhookHandler({
    provider: stripe({ secret: SECRET }),
    store: memoryStore({ now: () => NOW }),
    now: () => NOW,
    enqueue: async () => {},
    ...overrides,
  })
}

const signed = (id: string, secret = SECRET) =>
  signStripeRequest({ secret, now: NOW, body: { id, type: 'invoice.paid', note: PAYLOAD_MARK } })

function expectNothingSecret(messages: string[], signatures: string[]): void {
  for (const message of messages) {
    expect(message).not.toContain(SECRET)
    expect(message).not.toContain(PAYLOAD_MARK)
    for (const signature of signatures) expect(message).not.toContain(signature)
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the handler log', () => {
  it('logs to console by default, with no hook set: a wiring mistake once, and the cause of an enqueue failure', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const handler = handlerWith({
      enqueue: async () => {
        throw new Error('queue is down (ECONNREFUSED)')
      },
    })
    for (let i = 0; i < 3; i++) handler.refuse('body_already_parsed', { method: 'POST' })
    const failing = await signed('evt_enqueue_fails')
    expect((await handler.handle(failing)).status).toBe(500)
    const messages = error.mock.calls.map((call) => String(call[0]))
    expect(messages.filter((m) => m.includes('body_already_parsed'))).toHaveLength(1)
    const enqueueLine = messages.find((m) => m.includes('phase enqueue'))
    expect(enqueueLine).toMatch(/^\[webhook-inbox\] \[stripe\] enqueue threw/)
    expect(enqueueLine).toContain('Cause: Error: queue is down (ECONNREFUSED)')
    expectNothingSecret(
      [...messages, ...warn.mock.calls.map((c) => String(c[0]))],
      [(failing.headers as Record<string, string>)['stripe-signature'] as string],
    )
  })

  it('logs a store outage once per kind, then at the 10th and 100th occurrence with the count', async () => {
    const { written, logger } = lines()
    const store = recordingStore(memoryStore({ now: () => NOW }))
    const handler = handlerWith({ store, logger })
    for (let i = 0; i < 100; i++) {
      store.failNext('claim')
      expect((await handler.handle(await signed(`evt_down_${i}`))).status).toBe(503)
    }
    const outage = written.filter((line) => line.message.includes('phase claim'))
    expect(outage).toHaveLength(3)
    expect(outage[0]?.message).toMatch(/^\[webhook-inbox\] \[stripe\] the dedupe store failed on claim/)
    expect(outage[1]?.message).toContain('10 times so far')
    expect(outage[2]?.message).toContain('100 times so far')
    expect(outage.every((line) => line.level === 'error')).toBe(true)
  })

  it('counts 401s instead of logging each: the first, then a line at 10 and 100 refusals', async () => {
    const { written, logger } = lines()
    const handler = handlerWith({ logger })
    const signatures: string[] = []
    for (let i = 0; i < 100; i++) {
      const forged = await signed(`evt_forged_${i}`, 'whsec_not_the_secret')
      signatures.push((forged.headers as Record<string, string>)['stripe-signature'] as string)
      expect((await handler.handle(forged)).status).toBe(401)
    }
    expect(written.map((line) => line.level)).toEqual(['warn', 'warn', 'warn'])
    expect(written[0]?.message).toContain('invalid_signature')
    expect(written[1]?.message).toContain('10 deliveries refused with 401 so far')
    expect(written[2]?.message).toContain('100 deliveries refused with 401 so far')
    expectNothingSecret(
      written.map((line) => line.message),
      signatures,
    )
  })

  it('logger: false silences it; with the default logger, kinds a hook receives are left to the hook', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const silent = handlerWith({ logger: false })
    silent.refuse('body_already_parsed')
    await silent.handle(await signed('evt_x', 'whsec_wrong'))
    const hooked = handlerWith({ onRejected: () => {}, onError: () => {} })
    hooked.refuse('body_already_parsed')
    await hooked.handle(await signed('evt_y', 'whsec_wrong'))
    expect(warn).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
    // A logger passed explicitly gets every kind, hooks or not.
    const { written, logger } = lines()
    handlerWith({ onRejected: () => {}, logger }).refuse('body_already_parsed')
    expect(written).toHaveLength(1)
  })

  it('warns once when enqueue returns no promise (a forgotten await), not when it is async', async () => {
    const { written, logger } = lines()
    const queue: Array<Promise<void>> = []
    const forgetful = handlerWith({
      logger,
      enqueue: (event) => {
        queue.push(Promise.resolve(void event))
      },
    })
    expect((await forgetful.handle(await signed('evt_a'))).status).toBe(200)
    expect((await forgetful.handle(await signed('evt_b'))).status).toBe(200)
    const warnings = written.filter((line) => line.message.includes('not a promise'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('enqueue returned undefined')
    expect(warnings[0]?.message).toContain('await queue.add')
    const onWarning = vi.fn()
    const careful = handlerWith({ logger, onWarning })
    await careful.handle(await signed('evt_c'))
    expect(onWarning).not.toHaveBeenCalled()
    expect(written.filter((line) => line.message.includes('not a promise'))).toHaveLength(1)
  })
})
