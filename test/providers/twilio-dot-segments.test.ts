// Twilio signs the URL it called. Behind a prefix mount, a path with dot segments reaches the
// route that matched its raw text (`/sms/../status` is served by `/sms`) while URL normalisation
// turns it into another route's URL (`/status`): a signature captured for one route must not
// verify on another. Over real HTTP, through Express, with raw request targets.
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toExpress } from '../../src/adapters/express.js'
import { createWebhookHandler, type WebhookEvent } from '../../src/index.js'
import { twilio } from '../../src/providers/index.js'
import { signTwilioRequest } from '../../src/testing/index.js'

function rawPost(origin: string, path: string, headers: Record<string, string>, body: string) {
  const { hostname, port } = new URL(origin)
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: 'POST', path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('twilio behind a prefix mount: dot segments never verify as another route', () => {
  const sms: WebhookEvent[] = []
  const status: WebhookEvent[] = []
  let server: Server
  let origin: string
  beforeAll(async () => {
    const app = express()
    const handler = (events: WebhookEvent[]) =>
      createWebhookHandler({
        provider: twilio({ secret: 'token' }),
        enqueue: (e) => void events.push(e),
        onWarning: () => {},
      })
    app.use('/sms', toExpress(handler(sms)))
    app.use('/status', toExpress(handler(status)))
    server = createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  async function signedFor(path: string, token: string) {
    const request = await signTwilioRequest({
      secret: 'token',
      url: `${origin}${path}`,
      params: { MessageSid: 'SM1', MessageStatus: 'delivered' },
      idempotencyToken: token,
    })
    return { headers: request.headers as Record<string, string>, body: request.body as string }
  }

  it('accepts a delivery signed for the route it reaches', async () => {
    const { headers, body } = await signedFor('/status', 'idem-ok')
    expect((await rawPost(origin, '/status', headers, body)).status).toBe(200)
    expect(status).toHaveLength(1)
  })

  for (const path of [
    '/sms/../status',
    '/sms/%2e%2e/status',
    '/sms/%2E%2E/status',
    '/sms/./../status',
    '/sms/.%2e/status',
    '/sms/..\\status',
  ]) {
    it(`refuses ${path} signed for /status (it is served by /sms)`, async () => {
      const { headers, body } = await signedFor('/status', `idem-${path}`)
      const answer = await rawPost(origin, path, headers, body)
      expect(answer.status).toBe(401)
      expect(sms).toHaveLength(0)
    })
  }

  it('refuses a signature made over the dot-segment URL itself', async () => {
    const { headers, body } = await signedFor('/sms/../status', 'idem-dots')
    expect((await rawPost(origin, '/sms/../status', headers, body)).status).toBe(401)
    expect(sms).toHaveLength(0)
  })
})
