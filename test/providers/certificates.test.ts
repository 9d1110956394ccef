// Family H: certificate / RSA signatures (AWS SNS, PayPal). Certificates are test-only,
// self-signed fixtures (test/fixtures/x509, made with `openssl ca -selfsign`), served through the
// injected fetch; nothing leaves the machine.
import { createPrivateKey, sign as nodeSign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PassThrough } from 'node:stream'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createWebhookHandler } from '../../src/index.js'
import { awsSns, paypal } from '../../src/providers/index.js'
import { signAwsSnsRequest, signPayPalRequest } from '../../src/testing/index.js'
import type { WebhookEvent, WebhookRequest } from '../../src/types.js'
import { crc32 } from '../../src/verifiers/index.js'
import { NOW, testVerifier } from './verifier-suite.js'

const require = createRequire(import.meta.url)
const fixture = (name: string) => readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')
const KEY_A = fixture('signer-1.key.pem')
const KEY_B = fixture('signer-2.key.pem')
const CERT: Record<string, string> = { [KEY_A]: fixture('signer-1.cert.pem'), [KEY_B]: fixture('signer-2.cert.pem') }
const EXPIRED = fixture('signer-1-expired.cert.pem')

/** An injected fetch serving certificates by URL; records every URL it is asked for. */
function certificateServer(routes: Record<string, string>, fallback?: string) {
  const calls: string[] = []
  const fetch = async (url: string) => {
    calls.push(url)
    const text = routes[url] ?? fallback
    return text === undefined
      ? { ok: false, status: 404, text: async () => 'not found' }
      : { ok: true, status: 200, text: async () => text }
  }
  return { fetch, calls }
}

// --- AWS SNS -----------------------------------------------------------------------------------

const TOPIC = 'arn:aws:sns:eu-west-2:999999999999:orders'
const SNS_CERT_URL = (key: string) =>
  `https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-${key === KEY_A ? 'aaaa' : 'bbbb'}.pem`

function snsServer(keys: readonly string[]) {
  // The URL of each trusted key serves its certificate; any other SNS URL serves the first one,
  // as a real AWS URL serves AWS's certificate whatever key signed the message.
  return certificateServer(
    Object.fromEntries(keys.map((k) => [SNS_CERT_URL(k), CERT[k] as string])),
    CERT[keys[0] as string],
  )
}

testVerifier({
  name: 'awsSns',
  secrets: [KEY_A, KEY_B],
  create: (secrets) => awsSns({ topicArn: TOPIC, fetch: snsServer(secrets).fetch }),
  sign: ({ secret, body, now }) =>
    signAwsSnsRequest({
      privateKey: secret,
      certUrl: SNS_CERT_URL(secret),
      topicArn: TOPIC,
      message: body,
      messageId: 'msg-suite',
      now,
    }),
  signatureHeaders: [],
  toleranceMs: 3_900_000,
  expectedId: 'msg-suite',
  expectedType: 'Notification',
})

// Independent reference signer: node:crypto RSA over AWS's documented canonical string.
function referenceSns(fields: Record<string, string>, version: '1' | '2', keys: readonly string[]): string {
  const canonical = keys
    .filter((k) => k in fields)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('')
  const signature = nodeSign(
    version === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
    Buffer.from(canonical),
    createPrivateKey(KEY_A),
  )
  return JSON.stringify({
    ...fields,
    SignatureVersion: version,
    Signature: signature.toString('base64'),
    SigningCertURL: SNS_CERT_URL(KEY_A),
  })
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
const SUBSCRIPTION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']

function snsRequest(body: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://example.test/sns',
    headers: { 'content-type': 'text/plain; charset=UTF-8' },
    body,
  }
}

describe('awsSns', () => {
  const notification = {
    Type: 'Notification',
    MessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe',
    TopicArn: TOPIC,
    Subject: 'Order placed',
    Message: '{"order": "Zoë ☕"}',
    Timestamp: new Date(NOW).toISOString(),
  }

  it('known answers from node:crypto, SignatureVersion 1 (SHA-1) and 2 (SHA-256), body sent as text/plain', async () => {
    for (const version of ['1', '2'] as const) {
      const server = snsServer([KEY_A])
      const provider = awsSns({ topicArn: TOPIC, fetch: server.fetch })
      const result = await provider.verify(snsRequest(referenceSns(notification, version, NOTIFICATION_KEYS)), {
        now: NOW,
      })
      expect(result, version).toMatchObject({
        ok: true,
        id: notification.MessageId,
        type: 'Notification',
        timestamp: NOW,
      })
      const other = version === '1' ? '2' : '1'
      const swapped = referenceSns(notification, version, NOTIFICATION_KEYS).replace(
        `"SignatureVersion":"${version}"`,
        `"SignatureVersion":"${other}"`,
      )
      expect((await provider.verify(snsRequest(swapped), { now: NOW })).ok).toBe(false)
    }
  })

  it('never fetches a certificate URL outside the allow-list', async () => {
    const server = snsServer([KEY_A])
    const provider = awsSns({ topicArn: TOPIC, fetch: server.fetch })
    const bad = [
      'https://evil.example.com/SimpleNotificationService-aaaa.pem',
      'http://sns.eu-west-2.amazonaws.com/SimpleNotificationService-aaaa.pem',
      'https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-aaaa.txt',
      'https://sns.eu-west-2.amazonaws.com.evil.com/cert.pem',
      // S3 virtual hosts under amazonaws.com: a bucket named "sns" would serve any certificate.
      'https://sns.s3-accelerate.amazonaws.com/cert.pem',
      'https://sns.s3.amazonaws.com/cert.pem',
      'https://sns.s3-website-us-east-1.amazonaws.com/cert.pem',
      'https://sns.execute-api.amazonaws.com/cert.pem',
      'https://sns.eu-west-2.amazonaws.com:8443/cert.pem',
      'https://user@sns.eu-west-2.amazonaws.com/cert.pem',
      'not a url',
    ]
    for (const url of bad) {
      const body = referenceSns(notification, '1', NOTIFICATION_KEYS).replace(SNS_CERT_URL(KEY_A), url)
      expect(await provider.verify(snsRequest(body), { now: NOW }), url).toMatchObject({
        ok: false,
        error: { code: 'certificate_error' },
      })
    }
    expect(server.calls).toEqual([])
  })

  it('caches certificates per URL (bounded), forgets failed downloads, and refuses an expired certificate', async () => {
    const server = snsServer([KEY_A])
    const provider = awsSns({ topicArn: TOPIC, fetch: server.fetch, certificateCacheSize: 1 })
    const body = referenceSns(notification, '1', NOTIFICATION_KEYS)
    for (let i = 0; i < 3; i++) expect((await provider.verify(snsRequest(body), { now: NOW })).ok).toBe(true)
    expect(server.calls.length).toBe(1)
    const other = body.replace(SNS_CERT_URL(KEY_A), 'https://sns.eu-west-2.amazonaws.com/other.pem')
    expect((await provider.verify(snsRequest(other), { now: NOW })).ok).toBe(true)
    expect((await provider.verify(snsRequest(body), { now: NOW })).ok).toBe(true)
    expect(server.calls.length).toBe(3)

    let failures = 1
    const flaky = awsSns({
      topicArn: TOPIC,
      fetch: async (url) => (failures-- > 0 ? { ok: false, status: 503, text: async () => '' } : server.fetch(url)),
    })
    // A certificate host that answers 5xx is an outage, not a forgery: 503, so SNS retries.
    expect(await flaky.verify(snsRequest(body), { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'certificate_unavailable', status: 503 },
    })
    expect((await flaky.verify(snsRequest(body), { now: NOW })).ok).toBe(true)

    const expired = awsSns({ topicArn: TOPIC, fetch: certificateServer({}, EXPIRED).fetch })
    expect(await expired.verify(snsRequest(body), { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'certificate_error' },
    })
  })

  it('refuses other topics before fetching anything, and requires topicArn at setup', async () => {
    const server = snsServer([KEY_A])
    const provider = awsSns({ topicArn: 'arn:aws:sns:eu-west-2:999999999999:mine', fetch: server.fetch })
    expect(
      await provider.verify(snsRequest(referenceSns(notification, '1', NOTIFICATION_KEYS)), { now: NOW }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_token' },
    })
    expect(server.calls).toEqual([])
    expect(
      (
        await awsSns({ topicArn: '*', fetch: server.fetch }).verify(
          snsRequest(referenceSns(notification, '1', NOTIFICATION_KEYS)),
          { now: NOW },
        )
      ).ok,
    ).toBe(true)
    expect(() => awsSns({} as never)).toThrow(/topicArn/)
  })

  it('refuses missing and malformed signature fields without throwing', async () => {
    const provider = awsSns({ topicArn: TOPIC, fetch: snsServer([KEY_A]).fetch })
    const message = JSON.parse(referenceSns(notification, '1', NOTIFICATION_KEYS)) as Record<string, string>
    const cases: [Record<string, unknown>, string][] = [
      [{ ...message, Signature: undefined }, 'missing_signature'],
      [{ ...message, Signature: '!!!' }, 'malformed_signature'],
      [{ ...message, SignatureVersion: '3' }, 'malformed_signature'],
      [{ ...message, Timestamp: 'yesterday' }, 'malformed_timestamp'],
      [{ ...message, SigningCertURL: undefined }, 'malformed_signature'],
      [{ ...message, Message: 'changed' }, 'invalid_signature'],
    ]
    for (const [body, code] of cases) {
      expect(await provider.verify(snsRequest(JSON.stringify(body)), { now: NOW }), code).toMatchObject({
        ok: false,
        error: { code },
      })
    }
    expect(await provider.verify(snsRequest('not json'), { now: NOW })).toMatchObject({ ok: false })
  })

  describe('subscription handshakes', () => {
    const subscribeUrl = `https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=tok123`
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: 'tok123',
      TopicArn: TOPIC,
      Message:
        'You have chosen to subscribe to the topic. To confirm the subscription, visit the SubscribeURL included in this message.',
      SubscribeURL: subscribeUrl,
      Timestamp: new Date(NOW).toISOString(),
    }

    async function run(body: string, options: Partial<Parameters<typeof awsSns>[0]> = {}) {
      const server = snsServer([KEY_A])
      const events: WebhookEvent[] = []
      const handler = createWebhookHandler({
        provider: awsSns({ topicArn: TOPIC, fetch: server.fetch, ...options }),
        enqueue: (event) => {
          events.push(event)
        },
        now: () => NOW,
        onWarning: () => {},
      })
      return { response: await handler.handle(snsRequest(body)), events, calls: server.calls }
    }

    it('verifies a SubscriptionConfirmation, then GETs SubscribeURL through the injected fetch, without enqueueing', async () => {
      const { response, events, calls } = await run(referenceSns(confirmation, '1', SUBSCRIPTION_KEYS))
      expect(response).toMatchObject({ status: 200, body: '' })
      expect(events).toEqual([])
      expect(calls).toEqual([SNS_CERT_URL(KEY_A), subscribeUrl])
    })

    it('hands the confirmation to onSubscriptionConfirmation instead, when given', async () => {
      const seen: string[] = []
      const { response, calls } = await run(referenceSns(confirmation, '2', SUBSCRIPTION_KEYS), {
        onSubscriptionConfirmation: (message) => {
          seen.push(message.Token as string)
        },
      })
      expect(response.status).toBe(200)
      expect(seen).toEqual(['tok123'])
      expect(calls).toEqual([SNS_CERT_URL(KEY_A)])
    })

    it('never visits a SubscribeURL off an SNS host, and never confirms a forged message', async () => {
      const evil = referenceSns(
        { ...confirmation, SubscribeURL: 'https://evil.example.com/confirm' },
        '1',
        SUBSCRIPTION_KEYS,
      )
      const first = await run(evil)
      expect(first.response.status).toBe(400)
      expect(first.calls).toEqual([SNS_CERT_URL(KEY_A)])
      const forged = JSON.parse(referenceSns(confirmation, '1', SUBSCRIPTION_KEYS)) as Record<string, string>
      forged.Token = 'other'
      const second = await run(JSON.stringify(forged))
      expect(second.response.status).toBe(401)
      expect(second.calls).toEqual([SNS_CERT_URL(KEY_A)])
    })

    it('acknowledges an UnsubscribeConfirmation (signed with or without Token) without enqueueing', async () => {
      const unsubscribe = { ...confirmation, Type: 'UnsubscribeConfirmation' }
      for (const keys of [SUBSCRIPTION_KEYS, NOTIFICATION_KEYS]) {
        const { response, events, calls } = await run(referenceSns(unsubscribe, '1', keys))
        expect(response).toMatchObject({ status: 200, body: '' })
        expect(events).toEqual([])
        expect(calls).toEqual([SNS_CERT_URL(KEY_A)])
      }
    })
  })

  it('SDK cross-check (sns-validator, its https.get pointed at the fixture certificate): our signer → SDK accepts; forged → both reject', async () => {
    const https = require('node:https') as { get: unknown }
    const MessageValidator = require('sns-validator') as new () => {
      validate(message: string, cb: (error: Error | null) => void): void
    }
    const original = https.get
    const requested: string[] = []
    https.get = (url: string, callback: (res: PassThrough & { statusCode: number }) => void) => {
      requested.push(url)
      const res = Object.assign(new PassThrough(), { statusCode: 200 })
      queueMicrotask(() => {
        callback(res)
        res.end(CERT[KEY_A])
      })
      return new PassThrough()
    }
    try {
      const validate = (body: string) =>
        new Promise<boolean>((resolve) => new MessageValidator().validate(body, (error) => resolve(!error)))
      for (const version of ['1', '2'] as const) {
        const signed = await signAwsSnsRequest({
          privateKey: KEY_A,
          certUrl: SNS_CERT_URL(KEY_A),
          topicArn: TOPIC,
          message: 'hello',
          signatureVersion: version,
          now: NOW,
        })
        expect(await validate(signed.body as string), version).toBe(true)
      }
      const forged = await signAwsSnsRequest({
        privateKey: KEY_B,
        certUrl: SNS_CERT_URL(KEY_A),
        topicArn: TOPIC,
        message: 'hello',
        now: NOW,
      })
      expect(await validate(forged.body as string)).toBe(false)
      expect((await awsSns({ topicArn: TOPIC, fetch: snsServer([KEY_A]).fetch }).verify(forged, { now: NOW })).ok).toBe(
        false,
      )
      // sns-validator has no signer, so "the SDK signs" is covered by the node:crypto reference above.
      expect(requested.every((url) => url === SNS_CERT_URL(KEY_A))).toBe(true)
    } finally {
      https.get = original
    }
  })
})

// --- PayPal ------------------------------------------------------------------------------------

const PAYPAL_CERT_URL = (key: string) =>
  `https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-${key === KEY_A ? 'aaaa' : 'bbbb'}`

function paypalServer(keys: readonly string[]) {
  return certificateServer(
    Object.fromEntries(keys.map((k) => [PAYPAL_CERT_URL(k), CERT[k] as string])),
    CERT[keys[0] as string],
  )
}

testVerifier({
  name: 'paypal',
  secrets: [KEY_A, KEY_B],
  create: (secrets) => paypal({ webhookId: 'WH-SUITE', fetch: paypalServer(secrets).fetch }),
  sign: ({ secret, body, now }) =>
    signPayPalRequest({ privateKey: secret, certUrl: PAYPAL_CERT_URL(secret), webhookId: 'WH-SUITE', body, now }),
  signatureHeaders: [
    'paypal-transmission-sig',
    'paypal-transmission-id',
    'paypal-transmission-time',
    'paypal-auth-algo',
  ],
  toleranceMs: 300_000,
  expectedId: 'evt_suite_1',
})

describe('paypal', () => {
  const body =
    '{"id":"WH-2WR32451HC0233532-67976317FL4543714","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"note":"Zoë"}}'
  const time = new Date(NOW).toISOString()

  function referencePayPal(webhookId: string, signedBody: string, certUrl = PAYPAL_CERT_URL(KEY_A)): WebhookRequest {
    const message = `tx-123|${time}|${webhookId}|${zlibCrc32(Buffer.from(signedBody))}`
    return {
      method: 'POST',
      url: 'https://example.test/paypal',
      headers: {
        'paypal-transmission-id': 'tx-123',
        'paypal-transmission-time': time,
        'paypal-transmission-sig': nodeSign('sha256', Buffer.from(message), createPrivateKey(KEY_A)).toString('base64'),
        'paypal-cert-url': certUrl,
        'paypal-auth-algo': 'SHA256withRSA',
        'content-type': 'application/json',
      },
      body: signedBody,
    }
  }

  it('CRC-32 matches zlib (decimal, unsigned)', () => {
    for (const text of ['', 'a', body, 'Zoë ☕'.repeat(100)])
      expect(crc32(Buffer.from(text))).toBe(zlibCrc32(Buffer.from(text)))
  })

  it('known answer from node:crypto; the webhook id is part of the signed string', async () => {
    const server = paypalServer([KEY_A])
    const provider = paypal({ webhookId: ['WH-OTHER', 'WH-1'], fetch: server.fetch })
    expect(await provider.verify(referencePayPal('WH-1', body), { now: NOW })).toMatchObject({
      ok: true,
      id: 'WH-2WR32451HC0233532-67976317FL4543714',
      type: 'PAYMENT.CAPTURE.COMPLETED',
      timestamp: NOW,
    })
    expect(
      await paypal({ webhookId: 'WH-2', fetch: server.fetch }).verify(referencePayPal('WH-1', body), { now: NOW }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_signature' },
    })
    expect(() => paypal({ webhookId: '' })).toThrow(/webhookId/)
  })

  it("never fetches a certificate from a host that is not PayPal's", async () => {
    const server = paypalServer([KEY_A])
    const provider = paypal({ webhookId: 'WH-1', fetch: server.fetch })
    for (const url of [
      'https://evil.example.com/cert',
      'http://api.paypal.com/v1/notifications/certs/CERT-1',
      'https://api.paypal.com.evil.com/c',
      'garbage',
    ]) {
      expect(await provider.verify(referencePayPal('WH-1', body, url), { now: NOW }), url).toMatchObject({
        ok: false,
        error: { code: 'certificate_error' },
      })
    }
    expect(server.calls).toEqual([])
    const custom = paypal({ webhookId: 'WH-1', fetch: server.fetch, certificateHosts: [/^certs\.example\.test$/] })
    expect(
      (await custom.verify(referencePayPal('WH-1', body, 'https://certs.example.test/c.pem'), { now: NOW })).ok,
    ).toBe(true)
  })

  it('refuses an unsupported PAYPAL-AUTH-ALGO', async () => {
    const request = referencePayPal('WH-1', body)
    ;(request.headers as Record<string, string>)['paypal-auth-algo'] = 'SHA1withRSA'
    expect(
      await paypal({ webhookId: 'WH-1', fetch: paypalServer([KEY_A]).fetch }).verify(request, { now: NOW }),
    ).toMatchObject({
      ok: false,
      error: { code: 'malformed_signature' },
    })
  })
})

describe('certificate download failures are outages (503, retried), bad certificates are refused (401)', () => {
  const body = referenceSns(
    {
      Type: 'Notification',
      MessageId: 'outage-1',
      TopicArn: TOPIC,
      Message: 'x',
      Timestamp: new Date(NOW).toISOString(),
    },
    '2',
    NOTIFICATION_KEYS,
  )
  const reset = async () => {
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
  }
  const status = (code: number) => async () => ({ ok: false, status: code, text: async () => '' })
  const hang = () => new Promise<never>(() => {})
  const cases = [
    ['connection reset', reset, 503],
    ['timeout', hang, 503],
    ['502 from the certificate host', status(502), 503],
    ['429 from the certificate host', status(429), 503],
    ['404 from the certificate host', status(404), 401],
    ['a body that is not a certificate', async () => ({ ok: true, status: 200, text: async () => 'nope' }), 401],
  ] as const

  for (const [label, fetch, expected] of cases) {
    it(`AWS SNS: ${label} → ${expected}`, async () => {
      const handler = createWebhookHandler({
        provider: awsSns({ topicArn: TOPIC, fetch, certificateTimeoutMs: 20 }),
        now: () => NOW,
        enqueue: () => {},
      })
      const answer = await handler.handle(snsRequest(body))
      expect(answer.status).toBe(expected)
    })

    it(`PayPal: ${label} → ${expected}`, async () => {
      const handler = createWebhookHandler({
        provider: paypal({ webhookId: 'WH-SUITE', fetch, certificateTimeoutMs: 20 }),
        now: () => NOW,
        enqueue: () => {},
      })
      const request = await signPayPalRequest({
        privateKey: KEY_A,
        certUrl: PAYPAL_CERT_URL(KEY_A),
        webhookId: 'WH-SUITE',
        body: '{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}',
        now: NOW,
      })
      expect((await handler.handle(request)).status).toBe(expected)
    })
  }
})

describe('SNS_CERTIFICATE_HOSTS', () => {
  it('allows the regional SNS endpoints and nothing else under amazonaws.com', async () => {
    const { hostAllowed, SNS_CERTIFICATE_HOSTS } = await import('../../src/verifiers/index.js')
    for (const host of [
      'sns.us-east-1.amazonaws.com',
      'sns.eu-central-1.amazonaws.com',
      'sns.ap-southeast-2.amazonaws.com',
      'sns.us-gov-west-1.amazonaws.com',
      'sns.cn-north-1.amazonaws.com.cn',
      'sns.il-central-1.amazonaws.com',
    ]) {
      expect(hostAllowed(host, SNS_CERTIFICATE_HOSTS), host).toBe(true)
    }
    for (const host of [
      'sns.s3-accelerate.amazonaws.com',
      'sns.s3.amazonaws.com',
      'sns.s3.us-east-1.amazonaws.com',
      'sns.s3-website-us-east-1.amazonaws.com',
      'sns.execute-api.amazonaws.com',
      'sns.us-east-1.amazonaws.com.evil.com',
      'xsns.us-east-1.amazonaws.com',
    ]) {
      expect(hostAllowed(host, SNS_CERTIFICATE_HOSTS), host).toBe(false)
    }
  })
})
