// Families E–I over real HTTP (node:http on 127.0.0.1, port 0): the URL-signing presets behind a
// proxy (adapter `publicUrl`) and the Discord handshakes byte for byte.
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, type WebhookHandler } from '../../src/index.js'
import { discord, twilio } from '../../src/providers/index.js'
import { signDiscordRequest, signTwilioRequest } from '../../src/testing/index.js'
import type { WebhookEvent, WebhookRequest } from '../../src/types.js'

async function listen(
  handler: WebhookHandler,
  options?: Parameters<typeof toNodeListener>[1],
): Promise<{ server: Server; origin: string }> {
  const server = createServer(toNodeListener(handler, options))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function send(origin: string, request: WebhookRequest): Promise<Response> {
  const url = new URL(request.url)
  return fetch(origin + url.pathname + url.search, {
    method: request.method,
    headers: request.headers as Record<string, string>,
    body: request.method === 'GET' ? undefined : (request.body as string),
  })
}

describe('twilio behind a proxy, over HTTP', () => {
  const events: WebhookEvent[] = []
  let server: Server
  let origin: string
  beforeAll(async () => {
    const handler = createWebhookHandler({
      provider: twilio({ secret: 'token' }),
      enqueue: (e) => void events.push(e),
      onWarning: () => {},
    })
    ;({ server, origin } = await listen(handler, { publicUrl: 'https://hooks.example.com' }))
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('verifies a form post signed for the public URL and enqueues it once', async () => {
    const request = await signTwilioRequest({
      secret: 'token',
      url: 'https://hooks.example.com/sms?tenant=a%27b',
      params: { MessageSid: 'SM1', Body: 'Zoë ☕ + more', MessageStatus: 'received' },
      idempotencyToken: 'idem-http-1',
    })
    const first = await send(origin, request)
    expect(first.status).toBe(200)
    // Twilio needs TwiML: an empty <Response/> acknowledges without replying.
    expect(first.headers.get('content-type')).toMatch(/^text\/xml/)
    expect(await first.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>')
    const again = await send(origin, request)
    expect(await again.text()).toContain('<Response/>')
    expect(events.map((e) => e.payload)).toEqual([
      { MessageSid: 'SM1', Body: 'Zoë ☕ + more', MessageStatus: 'received' },
    ])
  })

  it('refuses the same request signed for another URL with 401', async () => {
    const request = await signTwilioRequest({
      secret: 'token',
      url: 'https://other.example.com/sms?tenant=a%27b',
      params: { MessageSid: 'SM2' },
    })
    const response = await send(origin, { ...request, url: 'https://hooks.example.com/sms?tenant=a%27b' })
    expect(response.status).toBe(401)
    expect(JSON.stringify(await response.json())).not.toContain(
      (request.headers as Record<string, string>)['x-twilio-signature'],
    )
  })
})

describe('discord handshakes over HTTP', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const hex = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex')
  const events: WebhookEvent[] = []
  let server: Server
  let origin: string
  beforeAll(async () => {
    const handler = createWebhookHandler({
      provider: discord({ publicKey: hex }),
      enqueue: (e) => void events.push(e),
      onWarning: () => {},
    })
    ;({ server, origin } = await listen(handler))
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('PING → 200 application/json {"type":1}', async () => {
    const response = await send(
      origin,
      await signDiscordRequest({
        privateKey: pem,
        body: '{"id":"1","type":1,"token":"t","application_id":"a","version":1}',
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await response.text()).toBe('{"type":1}')
  })

  it('webhook-events PING → 204 with an empty body; a probe with a bad signature → 401', async () => {
    const ping = await send(
      origin,
      await signDiscordRequest({ privateKey: pem, body: '{"version":1,"application_id":"a","type":0}' }),
    )
    expect(ping.status).toBe(204)
    expect(await ping.text()).toBe('')
    const probe = await signDiscordRequest({ privateKey: pem, body: '{"id":"1","type":1}' })
    ;(probe.headers as Record<string, string>)['x-signature-ed25519'] = '0'.repeat(128)
    expect((await send(origin, probe)).status).toBe(401)
    expect(events).toEqual([])
  })
})
