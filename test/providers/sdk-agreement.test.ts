// Where this library and a provider's official SDK judged the same request differently, each case
// once: the SDK's verdict is computed here, and ours must equal it, or be stricter where the README
// lists a deliberate difference (never looser).
import { createHash, createHmac, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, type Provider, type WebhookEvent } from '../../src/index.js'
import {
  contentful,
  gitlab,
  hubspot,
  qstash,
  sendgrid,
  square,
  standardWebhooks,
  stripe,
  twilio,
} from '../../src/providers/index.js'
import type { WebhookRequest } from '../../src/types.js'

const require = createRequire(import.meta.url)

const ok = async (provider: Provider, request: WebhookRequest, now = Date.now()) =>
  (await provider.verify(request, { now })).ok
const sdkThrows = (run: () => unknown) => {
  try {
    run()
    return false
  } catch {
    return true
  }
}

describe('encodings the SDKs refuse are refused here', () => {
  it('stripe: upper-case hex and a space after the comma', async () => {
    const Stripe = require('stripe') as new (
      key: string,
    ) => {
      webhooks: {
        constructEvent(body: string, header: string, secret: string): unknown
        generateTestHeaderString(o: { payload: string; secret: string; timestamp: number }): string
      }
    }
    const sdk = new Stripe('sk_test_x').webhooks
    const body = '{"id":"evt_enc","type":"invoice.paid"}'
    const now = Date.now()
    const header = sdk.generateTestHeaderString({
      payload: body,
      secret: 'whsec_enc',
      timestamp: Math.floor(now / 1000),
    })
    const request = (value: string): WebhookRequest => ({
      method: 'POST',
      url: 'https://example.com/stripe',
      headers: { 'stripe-signature': value },
      body,
    })
    expect(await ok(stripe({ secret: 'whsec_enc' }), request(header), now)).toBe(true)
    for (const variant of [
      header.replace(/v1=(\w+)/, (_m, h: string) => `v1=${h.toUpperCase()}`),
      header.replace(',', ', '),
    ]) {
      expect(
        sdkThrows(() => sdk.constructEvent(body, variant, 'whsec_enc')),
        variant,
      ).toBe(true)
      expect(await ok(stripe({ secret: 'whsec_enc' }), request(variant), now), variant).toBe(false)
    }
  })

  it('standardwebhooks: base64url alphabet and missing padding in a v1 entry', async () => {
    const { Webhook } = await import('standardwebhooks')
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const sdk = new Webhook(secret)
    const now = Date.now()
    let body = ''
    let signature = ''
    // Find a body whose signature has a '+' or '/', so the url alphabet differs from it.
    for (let i = 0; !/[+/]/.test(signature); i++) {
      body = `{"n":${i}}`
      signature = sdk.sign('msg_enc', new Date(now), body)
    }
    const headers = (value: string) => ({
      'webhook-id': 'msg_enc',
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': value,
    })
    const request = (value: string): WebhookRequest => ({
      method: 'POST',
      url: 'https://example.com/sw',
      headers: headers(value),
      body,
    })
    expect(await ok(standardWebhooks({ secret }), request(signature), now)).toBe(true)
    const urlAlphabet = signature.replace(/\+/g, '-').replace(/\//g, '_')
    const unpadded = signature.replace(/=+$/, '')
    for (const variant of [urlAlphabet, unpadded]) {
      expect(
        sdkThrows(() => sdk.verify(body, headers(variant))),
        variant,
      ).toBe(true)
      expect(await ok(standardWebhooks({ secret }), request(variant), now), variant).toBe(false)
    }
  })

  it('twilio: X-Twilio-Signature without its padding', async () => {
    const sdk = require('twilio') as {
      validateRequest(token: string, signature: string, url: string, params: object): boolean
      getExpectedTwilioSignature(token: string, url: string, params: object): string
    }
    const url = 'https://example.com/sms'
    const params = { MessageSid: 'SM1', Body: 'hi' }
    const signature = sdk.getExpectedTwilioSignature('tok', url, params)
    expect(signature.endsWith('=')).toBe(true)
    const unpadded = signature.replace(/=+$/, '')
    expect(sdk.validateRequest('tok', unpadded, url, params)).toBe(false)
    const request = (value: string): WebhookRequest => ({
      method: 'POST',
      url,
      headers: { 'x-twilio-signature': value, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    })
    expect(await ok(twilio({ secret: 'tok' }), request(signature))).toBe(true)
    expect(await ok(twilio({ secret: 'tok' }), request(unpadded))).toBe(false)
  })

  it('@sendgrid/eventwebhook: a raw r||s ECDSA signature (not DER)', async () => {
    const { EventWebhook } = require('@sendgrid/eventwebhook') as {
      EventWebhook: new () => {
        convertPublicKeyToECDSA(key: string): unknown
        verifySignature(key: unknown, payload: string, signature: string, timestamp: string): boolean
      }
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
    const body = '[{"sg_event_id":"sg1","event":"delivered"}]\r\n'
    const now = Date.now()
    const timestamp = String(Math.floor(now / 1000))
    const der = nodeSign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64')
    const raw = nodeSign('sha256', Buffer.from(timestamp + body), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64')
    const sdk = new EventWebhook()
    const key = sdk.convertPublicKeyToECDSA(spki)
    const request = (signature: string): WebhookRequest => ({
      method: 'POST',
      url: 'https://example.com/sg',
      headers: {
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      },
      body,
    })
    expect(sdk.verifySignature(key, body, der, timestamp)).toBe(true)
    expect(await ok(sendgrid({ publicKey: spki }), request(der), now)).toBe(true)
    expect(
      sdkThrows(() => sdk.verifySignature(key, body, raw, timestamp)) ||
        !sdk.verifySignature(key, body, raw, timestamp),
    ).toBe(true)
    expect(await ok(sendgrid({ publicKey: spki }), request(raw), now)).toBe(false)
  })

  it('@contentful/node-apps-toolkit: upper-case hex', async () => {
    const toolkit = await import('@contentful/node-apps-toolkit')
    const secret = 's'.repeat(64)
    const now = Date.now()
    const body = '{"sys":{"id":"e1"}}'
    const signed = toolkit.signRequest(secret, { method: 'POST', path: '/cf', body }, now) as Record<string, string>
    const upper = { ...signed, 'x-contentful-signature': (signed['x-contentful-signature'] as string).toUpperCase() }
    expect(toolkit.verifyRequest(secret, { method: 'POST', path: '/cf', headers: upper, body })).toBe(false)
    const request = (headers: Record<string, string>): WebhookRequest => ({
      method: 'POST',
      url: 'https://example.com/cf',
      headers,
      body,
    })
    expect(await ok(contentful({ secret }), request(signed), now)).toBe(true)
    expect(await ok(contentful({ secret }), request(upper), now)).toBe(false)
  })
})

describe('time windows at their limits, and the SDK defaults', () => {
  it('@contentful/node-apps-toolkit: exactly the 30 s TTL old is expired (>=)', async () => {
    const toolkit = await import('@contentful/node-apps-toolkit')
    const secret = 's'.repeat(64)
    const body = '{}'
    // The toolkit reads the real clock: sign exactly 30 s before it, then compare at that instant.
    const now = Date.now()
    const atLimit = toolkit.signRequest(secret, { method: 'POST', path: '/cf', body }, now - 30_000) as Record<
      string,
      string
    >
    expect(
      sdkThrows(() => toolkit.verifyRequest(secret, { method: 'POST', path: '/cf', headers: atLimit, body })),
    ).toBe(true)
    const request = { method: 'POST', url: 'https://example.com/cf', headers: atLimit, body }
    expect(await ok(contentful({ secret }), request, now)).toBe(false)
    expect(await ok(contentful({ secret }), request, now - 1)).toBe(true)
  })

  it('@upstash/qstash: expired at `exp` itself, no clock leeway by default', async () => {
    const { Receiver } = await import('@upstash/qstash')
    const receiver = new Receiver({ currentSigningKey: 'sig_cur', nextSigningKey: 'sig_next' })
    const url = 'https://example.com/jobs'
    const body = '{"job":1}'
    const b64url = (data: string) => Buffer.from(data).toString('base64url')
    const token = (claims: Record<string, unknown>) => {
      const head = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}`
      return `${head}.${createHmac('sha256', 'sig_cur').update(head).digest('base64url')}`
    }
    const nowSeconds = Math.floor(Date.now() / 1000)
    const hash = createHash('sha256').update(body).digest('base64url')
    const base = { iss: 'Upstash', sub: url, body: hash }
    const expiredNow = token({ ...base, iat: nowSeconds - 300, nbf: nowSeconds - 300, exp: nowSeconds })
    const justExpired = token({ ...base, iat: nowSeconds - 301, nbf: nowSeconds - 301, exp: nowSeconds - 1 })
    const valid = token({ ...base, iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + 300 })
    const request = (signature: string): WebhookRequest => ({
      method: 'POST',
      url,
      headers: { 'upstash-signature': signature, 'content-type': 'application/json' },
      body,
    })
    const sdkOk = (signature: string) =>
      receiver.verify({ signature, body, url }).then(
        () => true,
        () => false,
      )
    const now = nowSeconds * 1000
    const provider = qstash({ secret: ['sig_cur', 'sig_next'] })
    expect(await sdkOk(valid)).toBe(true)
    expect(await ok(provider, request(valid), now)).toBe(true)
    for (const signature of [expiredNow, justExpired]) {
      expect(await sdkOk(signature)).toBe(false)
      expect(await ok(provider, request(signature), now)).toBe(false)
    }
  })
})

describe('QStash: a token for another destination is refused when the URL is known', () => {
  it('sub names another URL: the SDK with `url` refuses it, and so does the default preset', async () => {
    const { Receiver } = await import('@upstash/qstash')
    const receiver = new Receiver({ currentSigningKey: 'sig_cur', nextSigningKey: 'sig_next' })
    const body = '{}'
    const nowSeconds = Math.floor(Date.now() / 1000)
    const b64url = (data: string) => Buffer.from(data).toString('base64url')
    const claims = {
      iss: 'Upstash',
      sub: 'https://example.com/other-endpoint',
      body: createHash('sha256').update(body).digest('base64url'),
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + 300,
    }
    const head = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}`
    const signature = `${head}.${createHmac('sha256', 'sig_cur').update(head).digest('base64url')}`
    const url = 'https://example.com/jobs'
    await expect(receiver.verify({ signature, body, url })).rejects.toThrow()
    const request = { method: 'POST', url, headers: { 'upstash-signature': signature }, body }
    expect(await ok(qstash({ secret: ['sig_cur', 'sig_next'] }), request, nowSeconds * 1000)).toBe(false)
  })
})

describe('headers and methods the providers really use', () => {
  it('square: the legacy SHA-1 header alone is not enough (WebhooksHelper checks SHA-256 only)', async () => {
    const { WebhooksHelper } = require('square') as {
      WebhooksHelper: {
        verifySignature(o: {
          requestBody: string
          signatureHeader: string
          signatureKey: string
          notificationUrl: string
        }): Promise<boolean>
      }
    }
    const url = 'https://example.com/square'
    const body = '{"event_id":"sq1"}'
    const sha1 = createHmac('sha1', 'key')
      .update(url + body)
      .digest('base64')
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: sha1,
        signatureKey: 'key',
        notificationUrl: url,
      }),
    ).toBe(false)
    const request = { method: 'POST', url, headers: { 'x-square-signature': sha1 }, body }
    expect(await ok(square({ secret: 'key', notificationUrl: url }), request)).toBe(false)
  })

  it('gitlab: X-Gitlab-Token with surrounding optional whitespace (RFC 9110 OWS) is the token', async () => {
    const request = (token: string): WebhookRequest => ({
      method: 'POST',
      url: 'https://example.com/gl',
      headers: { 'x-gitlab-token': token, 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'gl-1' },
      body: '{"object_kind":"push"}',
    })
    expect(await ok(gitlab({ secret: 'glt' }), request(' \tglt\t '))).toBe(true)
    expect(await ok(gitlab({ secret: 'glt' }), request('g lt'))).toBe(false)
  })

  describe('over real HTTP: HubSpot GET (v2) and Contentful DELETE with an empty body', () => {
    const events: WebhookEvent[] = []
    let server: Server
    let origin = ''
    const secret = 's'.repeat(64)
    beforeAll(async () => {
      const listeners: Record<string, ReturnType<typeof toNodeListener>> = {
        '/hubspot': toNodeListener(
          createWebhookHandler({
            provider: hubspot({ secret: 'hs' }),
            enqueue: (e) => void events.push(e),
            onWarning: () => {},
          }),
        ),
        '/cf': toNodeListener(
          createWebhookHandler({
            provider: contentful({ secret }),
            enqueue: (e) => void events.push(e),
            onWarning: () => {},
          }),
        ),
      }
      server = createServer((req, res) => {
        const listener = listeners[new URL(req.url ?? '/', 'http://x').pathname]
        if (listener) listener(req, res)
        else res.writeHead(404).end()
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it('HubSpot v2 signs a GET workflow webhook over method + URL; the SDK and we accept it', async () => {
      const { Signature } = require('@hubspot/api-client') as {
        Signature: { isValid(o: Record<string, unknown>): boolean }
      }
      const url = `${origin}/hubspot?objectId=42`
      const signature = createHash('sha256').update(`hsGET${url}`).digest('hex')
      expect(
        Signature.isValid({
          signature,
          clientSecret: 'hs',
          requestBody: '',
          signatureVersion: 'v2',
          url,
          method: 'GET',
        }),
      ).toBe(true)
      const answer = await fetch(url, {
        method: 'GET',
        headers: { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' },
      })
      expect(answer.status).toBe(200)
    })

    it('Contentful DELETE with an empty body, signed by the toolkit', async () => {
      const toolkit = await import('@contentful/node-apps-toolkit')
      const headers = toolkit.signRequest(secret, { method: 'DELETE', path: '/cf', body: '' }, Date.now()) as Record<
        string,
        string
      >
      expect(toolkit.verifyRequest(secret, { method: 'DELETE', path: '/cf', headers, body: '' })).toBe(true)
      const answer = await fetch(`${origin}/cf`, { method: 'DELETE', headers })
      expect(answer.status).toBe(200)
    })
  })
})
