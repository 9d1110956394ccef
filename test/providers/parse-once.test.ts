// A body read while verifying (SendGrid's event ids, Twilio's signed form fields) is parsed once
// per delivery, and the payload is that parse (issue 16). Counted through spies, never timed.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sendgrid, twilio } from '../../src/providers/index.js'
import { signSendGridRequest, signTwilioRequest } from '../../src/testing/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

afterEach(() => {
  vi.restoreAllMocks()
})

describe('bodies are parsed once per delivery', () => {
  it('SendGrid: one JSON.parse for the batch id and the payload', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const provider = sendgrid({ publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') })
    const request = await signSendGridRequest({
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      body: '[{"sg_event_id":"b","event":"open"},{"sg_event_id":"a","event":"open"}]\r\n',
      now: NOW,
    })
    const parse = vi.spyOn(JSON, 'parse')
    const result = await provider.verify(request, { now: NOW })
    expect(parse).toHaveBeenCalledTimes(1)
    expect(result.ok && result.type).toBe('open')
    expect(result.ok && result.payload).toEqual([
      { sg_event_id: 'b', event: 'open' },
      { sg_event_id: 'a', event: 'open' },
    ])
  })

  it('SendGrid: a body that is not JSON still verifies to invalid_body, from one failed parse', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const provider = sendgrid({ publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') })
    const request = await signSendGridRequest({
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      body: '[{"sg_event_id":',
      now: NOW,
    })
    const parse = vi.spyOn(JSON, 'parse')
    const result = await provider.verify(request, { now: NOW })
    expect(parse).toHaveBeenCalledTimes(1)
    expect(!result.ok && result.error.code).toBe('invalid_body')
  })

  it('Twilio: the form is read once, for the signature and the payload', async () => {
    const provider = twilio({ secret: 'auth-token' })
    const request = await signTwilioRequest({
      secret: 'auth-token',
      url: 'https://example.test/sms',
      params: { MessageSid: 'SM1', MessageStatus: 'delivered', Body: 'a&b=c' },
    })
    const iterate = vi.spyOn(URLSearchParams.prototype, Symbol.iterator)
    const result = await provider.verify(request, { now: NOW })
    expect(iterate).toHaveBeenCalledTimes(1)
    expect(result.ok && result.payload).toEqual({ MessageSid: 'SM1', MessageStatus: 'delivered', Body: 'a&b=c' })
    expect(result.ok && result.type).toBe('delivered')
  })
})
