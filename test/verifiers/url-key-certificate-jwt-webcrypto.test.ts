// The same known answers for families E–I with the Web Crypto back end (what workerd, Vercel Edge,
// Deno and Bun use): node:crypto is hidden from src/crypto, so getCrypto() picks Web Crypto.
import { createHash, createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

vi.mock('../../src/crypto/node.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/crypto/node.js')>()),
  loadNodeCrypto: () => undefined,
}))

const { getCrypto } = await import('../../src/crypto/index.js')
const { awsSns, discord, hubspot, paypal, qstash, sendgrid, square, twilio } = await import(
  '../../src/providers/index.js'
)

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const fixture = (name: string) => readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')

describe('families E–I on the Web Crypto back end', () => {
  it('runs on Web Crypto', () => {
    expect(getCrypto().name).toBe('web')
  })

  it('Twilio, Square and HubSpot official vectors', async () => {
    const body = 'CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212'
    const tw = await twilio({ secret: '12345' }).verify(
      {
        method: 'POST',
        url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
        headers: {
          'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      },
      { now: NOW },
    )
    expect(tw.ok).toBe(true)
    const sq = await square({ secret: 'asdf1234', notificationUrl: 'https://example.com/webhook' }).verify(
      {
        method: 'POST',
        url: 'https://x/',
        headers: { 'x-square-hmacsha256-signature': '2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og=' },
        body: '{"hello":"world"}',
      },
      { now: NOW },
    )
    expect(sq.ok).toBe(true)
    const hs = await hubspot({ secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy' }).verify(
      {
        method: 'POST',
        url: 'https://www.example.com/webhook_uri',
        headers: {
          'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
          'x-hubspot-signature-version': 'v2',
        },
        body: '{"example_field":"example_value"}',
      },
      { now: NOW },
    )
    expect(hs.ok).toBe(true)
  })

  it('Discord Ed25519 and SendGrid ECDSA (DER converted for Web Crypto)', async () => {
    const ed = generateKeyPairSync('ed25519')
    const hex = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex')
    const ts = String(NOW / 1000)
    const body = '{"id":"i1","type":2}'
    const sig = nodeSign(null, Buffer.from(ts + body), ed.privateKey).toString('hex')
    const d = await discord({ publicKey: hex }).verify(
      { method: 'POST', url: 'https://x/', headers: { 'x-signature-ed25519': sig, 'x-signature-timestamp': ts }, body },
      { now: NOW },
    )
    expect(d).toMatchObject({ ok: true, id: 'i1' })
    const official = await sendgrid({
      publicKey:
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==',
    }).verify(
      {
        method: 'POST',
        url: 'https://x/',
        headers: {
          'x-twilio-email-event-webhook-signature':
            'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
          'x-twilio-email-event-webhook-timestamp': '1600112502',
        },
        body: '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n',
      },
      { now: 1600112502_000 },
    )
    expect(official.ok).toBe(true)
  })

  it('AWS SNS and PayPal RSA with the fixture certificate', async () => {
    const key = createPrivateKey(fixture('signer-1.key.pem'))
    const cert = fixture('signer-1.cert.pem')
    const fetch = async () => ({ ok: true, status: 200, text: async () => cert })
    const topic = 'arn:aws:sns:eu-west-2:999999999999:orders'
    const fields = {
      Message: 'hi',
      MessageId: 'm1',
      Timestamp: new Date(NOW).toISOString(),
      TopicArn: topic,
      Type: 'Notification',
    }
    const canonical = Object.entries(fields)
      .map(([k, v]) => `${k}\n${v}\n`)
      .join('')
    const sns = JSON.stringify({
      ...fields,
      SignatureVersion: '2',
      Signature: nodeSign('RSA-SHA256', Buffer.from(canonical), key).toString('base64'),
      SigningCertURL: 'https://sns.eu-west-2.amazonaws.com/c.pem',
    })
    expect(
      await awsSns({ topicArn: topic, fetch }).verify(
        { method: 'POST', url: 'https://x/', headers: {}, body: sns },
        { now: NOW },
      ),
    ).toMatchObject({ ok: true, id: 'm1' })
    const body = '{"id":"WH-1","event_type":"X"}'
    const time = new Date(NOW).toISOString()
    const { crc32 } = await import('node:zlib')
    const message = `t1|${time}|WH-ID|${crc32(Buffer.from(body))}`
    const pp = await paypal({ webhookId: 'WH-ID', fetch }).verify(
      {
        method: 'POST',
        url: 'https://x/',
        headers: {
          'paypal-transmission-id': 't1',
          'paypal-transmission-time': time,
          'paypal-transmission-sig': nodeSign('sha256', Buffer.from(message), key).toString('base64'),
          'paypal-cert-url': 'https://api.paypal.com/v1/notifications/certs/CERT-1',
          'paypal-auth-algo': 'SHA256withRSA',
        },
        body,
      },
      { now: NOW },
    )
    expect(pp).toMatchObject({ ok: true, id: 'WH-1' })
  })

  it('QStash HS256', async () => {
    const body = '{"a":1}'
    const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')
    const t = NOW / 1000
    const head = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ iss: 'Upstash', sub: 'https://x/', exp: t + 300, nbf: t, iat: t, body: createHash('sha256').update(body).digest('base64url') }))}`
    const { createHmac } = await import('node:crypto')
    const token = `${head}.${createHmac('sha256', 'k').update(head).digest('base64url')}`
    expect(
      (
        await qstash({ secret: 'k', url: true }).verify(
          { method: 'POST', url: 'https://x/', headers: { 'upstash-signature': token }, body },
          { now: NOW },
        )
      ).ok,
    ).toBe(true)
  })
})
