import { describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, isWebhookError, memoryStore, type WebhookHandlerOptions } from '../../src/index.js'
import { slack, stripe, twilio } from '../../src/providers/index.js'
import { signSlackRequest, signStripeRequest, signTwilioRequest } from '../../src/testing/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

function handlerFor(provider: WebhookHandlerOptions['provider'], overrides: Partial<WebhookHandlerOptions> = {}) {
  return createWebhookHandler({
    provider,
    store: memoryStore({ now: () => NOW }),
    now: () => NOW,
    enqueue: async () => {},
    logger: false,
    ...overrides,
  })
}

describe('the accepted answer each provider needs', () => {
  it('Twilio: an inbound SMS (form post) and a voice GET get an empty TwiML <Response/> as text/xml, duplicates too', async () => {
    const handler = handlerFor(twilio({ secret: 'twilio-token' }))
    const sms = await signTwilioRequest({
      secret: 'twilio-token',
      url: 'https://hooks.example.com/sms',
      params: { MessageSid: 'SM1', From: '+15550001111', Body: 'hello' },
      idempotencyToken: 'tok-sms-1',
    })
    for (const attempt of [1, 2]) {
      const answer = await handler.handle(sms)
      expect(answer.status, `attempt ${attempt}`).toBe(200)
      expect(answer.headers['content-type']).toMatch(/^text\/xml/)
      expect(answer.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>')
    }
    const voice = await signTwilioRequest({
      secret: 'twilio-token',
      method: 'GET',
      url: 'https://hooks.example.com/voice?CallSid=CA1&From=%2B15550001111',
    })
    expect((await handler.handle(voice)).body).toContain('<Response/>')
  })

  it('Slack: a slash command and an interaction get an empty 200; an Events API delivery keeps the JSON answer', async () => {
    const handler = handlerFor(slack({ secret: 'slack-secret' }))
    const command = await signSlackRequest({
      secret: 'slack-secret',
      now: NOW,
      body: 'command=%2Fdeploy&text=prod&user_id=U1&trigger_id=1.2.3',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const commandAnswer = await handler.handle(command)
    expect(commandAnswer).toMatchObject({ status: 200, body: '' })
    expect(commandAnswer.headers['content-type']).toBeUndefined()
    const interaction = await signSlackRequest({
      secret: 'slack-secret',
      now: NOW,
      body: `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', view: { id: 'V1' } }))}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(await handler.handle(interaction)).toMatchObject({ status: 200, body: '' })
    const event = await signSlackRequest({
      secret: 'slack-secret',
      now: NOW,
      body: { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } },
    })
    expect(JSON.parse((await handler.handle(event)).body)).toEqual({ ok: true, id: 'Ev1' })
  })

  it('acceptedResponse replaces the answer per handler; a function sees the event and the preset answer', async () => {
    const fixed = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'thanks' }
    const delivery = () =>
      signStripeRequest({ secret: 'whsec_x', now: NOW, body: { id: 'evt_1', type: 'invoice.paid' } })
    const byObject = handlerFor(stripe({ secret: 'whsec_x' }), { acceptedResponse: fixed })
    expect(await byObject.handle(await delivery())).toEqual(fixed)
    expect(await byObject.handle(await delivery())).toEqual(fixed)

    const seen: unknown[] = []
    const byFunction = handlerFor(stripe({ secret: 'whsec_x' }), {
      acceptedResponse: (info) => {
        seen.push({ id: info.id, type: info.type, duplicate: info.duplicate, preset: JSON.parse(info.preset.body) })
        return info.duplicate ? undefined : { status: 202, headers: {}, body: '' }
      },
    })
    expect((await byFunction.handle(await delivery())).status).toBe(202)
    expect(JSON.parse((await byFunction.handle(await delivery())).body)).toMatchObject({ duplicate: true })
    expect(seen).toEqual([
      { id: 'evt_1', type: 'invoice.paid', duplicate: false, preset: { ok: true, id: 'evt_1' } },
      { id: 'evt_1', type: 'invoice.paid', duplicate: true, preset: { ok: true, duplicate: true, id: 'evt_1' } },
    ])
  })

  it('a throwing acceptedResponse falls back to the preset answer and is reported; a malformed one throws at setup', async () => {
    const onError = vi.fn()
    const handler = handlerFor(stripe({ secret: 'whsec_x' }), {
      onError,
      acceptedResponse: () => {
        throw new Error('bug in my answer')
      },
    })
    const delivery = await signStripeRequest({ secret: 'whsec_x', now: NOW, body: { id: 'evt_2', type: 't' } })
    expect(JSON.parse((await handler.handle(delivery)).body)).toEqual({ ok: true, id: 'evt_2' })
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ phase: 'hook', id: 'evt_2' }))
    let thrown: unknown
    try {
      handlerFor(stripe({ secret: 'whsec_x' }), { acceptedResponse: { status: 200 } as never })
    } catch (error) {
      thrown = error
    }
    expect(isWebhookError(thrown) && thrown.code).toBe('invalid_config')
  })
})
