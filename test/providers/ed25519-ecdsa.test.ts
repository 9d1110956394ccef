// Families F (Ed25519: Discord) and G (ECDSA P-256: SendGrid).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { createWebhookHandler } from '../../src/index.js'
import { discord, sendgrid } from '../../src/providers/index.js'
import { signDiscordRequest, signSendGridRequest } from '../../src/testing/index.js'
import type { WebhookEvent, WebhookRequest } from '../../src/types.js'
import { NOW, testVerifier } from './verifier-suite.js'

const require = createRequire(import.meta.url)

function ed25519Pair(): { privateKey: string; publicHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const x = publicKey.export({ format: 'jwk' }).x as string
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicHex: Buffer.from(x, 'base64url').toString('hex'),
  }
}

function p256Pair(): { privateKey: string; publicBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  }
}

const discordKeys = [ed25519Pair(), ed25519Pair()]
const discordPublic = new Map(discordKeys.map((k) => [k.privateKey, k.publicHex]))

testVerifier({
  name: 'discord',
  secrets: [discordKeys[0]?.privateKey as string, discordKeys[1]?.privateKey as string],
  create: (secrets) => discord({ publicKey: secrets.map((s) => discordPublic.get(s) as string) }),
  sign: ({ secret, body, now }) => signDiscordRequest({ privateKey: secret, body, now }),
  signatureHeaders: ['x-signature-ed25519', 'x-signature-timestamp'],
  toleranceMs: 300_000,
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

// Independent reference signer: node:crypto Ed25519 over timestamp + body.
function referenceDiscord(privateKey: string, timestamp: string, body: string): WebhookRequest {
  const signature = nodeSign(null, Buffer.from(timestamp + body), createPrivateKey(privateKey)).toString('hex')
  return {
    method: 'POST',
    url: 'https://example.test/interactions',
    headers: {
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
      'content-type': 'application/json',
    },
    body,
  }
}

describe('discord', () => {
  const key = discordKeys[0] as { privateKey: string; publicHex: string }
  const ts = String(NOW / 1000)

  async function handle(request: WebhookRequest) {
    const events: WebhookEvent[] = []
    const handler = createWebhookHandler({
      provider: discord({ publicKey: key.publicHex }),
      enqueue: (event) => {
        events.push(event)
      },
      now: () => NOW,
      onWarning: () => {},
    })
    return { response: await handler.handle(request), events }
  }

  it('known answer from node:crypto: an application command interaction', async () => {
    const body = '{"id":"1234567890","type":2,"data":{"name":"ping"},"token":"tok"}'
    const result = await discord({ publicKey: key.publicHex }).verify(referenceDiscord(key.privateKey, ts, body), {
      now: NOW,
    })
    expect(result).toMatchObject({ ok: true, id: '1234567890', type: '2', timestamp: NOW })
  })

  it('answers an interaction PING with 200 {"type":1}, after verification, without enqueueing', async () => {
    const body = '{"id":"p1","application_id":"a1","type":1,"token":"t","version":1}'
    const { response, events } = await handle(referenceDiscord(key.privateKey, ts, body))
    expect(response.status).toBe(200)
    expect(response.body).toBe('{"type":1}')
    expect(response.headers['content-type']).toBe('application/json')
    expect(events).toEqual([])
    const forged = await handle(referenceDiscord(ed25519Pair().privateKey, ts, body))
    expect(forged.response.status).toBe(401)
  })

  it('answers a webhook-events PING (type 0) with 204 and no body, and enqueues events with a body-derived id', async () => {
    const ping = await handle(referenceDiscord(key.privateKey, ts, '{"version":1,"application_id":"a1","type":0}'))
    expect(ping.response.status).toBe(204)
    expect(ping.response.body).toBe('')
    expect(ping.events).toEqual([])
    const eventBody =
      '{"version":1,"application_id":"a1","type":1,"event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2026-11-27T12:00:00Z","data":{}}}'
    const first = await discord({ publicKey: key.publicHex }).verify(referenceDiscord(key.privateKey, ts, eventBody), {
      now: NOW,
    })
    const retried = await discord({ publicKey: key.publicHex }).verify(
      referenceDiscord(key.privateKey, String(NOW / 1000 + 30), eventBody),
      { now: NOW },
    )
    expect(first).toMatchObject({ ok: true, type: 'APPLICATION_AUTHORIZED' })
    expect(first.ok && retried.ok && first.id === retried.id).toBe(true)
  })

  it('answers a queued interaction with the deferred reply Discord needs, and a webhook event with 204', async () => {
    const cases: [string, number, string][] = [
      ['{"id":"c1","type":2,"data":{"name":"ping"},"token":"t"}', 200, '{"type":5}'],
      ['{"id":"m1","type":5,"data":{},"token":"t"}', 200, '{"type":5}'],
      ['{"id":"b1","type":3,"data":{"custom_id":"x"},"token":"t"}', 200, '{"type":6}'],
      ['{"id":"a1","type":4,"data":{"name":"q"},"token":"t"}', 200, '{"type":8,"data":{"choices":[]}}'],
      ['{"version":1,"application_id":"a1","type":1,"event":{"type":"ENTITLEMENT_CREATE","data":{}}}', 204, ''],
    ]
    for (const [body, status, answer] of cases) {
      const { response, events } = await handle(referenceDiscord(key.privateKey, ts, body))
      expect(response.status).toBe(status)
      expect(response.body).toBe(answer)
      expect(events).toHaveLength(1)
    }
    // A duplicate delivery of a queued command gets the same reply, not a JSON body Discord would refuse.
    const events: WebhookEvent[] = []
    const handler = createWebhookHandler({
      provider: discord({ publicKey: key.publicHex, ephemeral: true }),
      enqueue: (event) => void events.push(event),
      now: () => NOW,
      onWarning: () => {},
    })
    const command = referenceDiscord(key.privateKey, ts, '{"id":"c2","type":2,"data":{"name":"x"},"token":"t"}')
    expect((await handler.handle(command)).body).toBe('{"type":5,"data":{"flags":64}}')
    expect((await handler.handle(command)).body).toBe('{"type":5,"data":{"flags":64}}')
    expect(events).toHaveLength(1)
  })

  it('refuses a bad public key at setup', () => {
    expect(() => discord({ publicKey: 'abc' })).toThrow(/publicKey/)
    expect(() => discord({ publicKey: [] })).toThrow(/publicKey/)
  })

  it('SDK cross-check (discord-interactions verifyKey): we sign → SDK accepts; forged → both reject; SDK skips the time check', async () => {
    const { verifyKey } = require('discord-interactions') as {
      verifyKey(body: string, signature: string, timestamp: string, key: string): Promise<boolean>
    }
    const body = '{"id":"x","type":2}'
    const signed = await signDiscordRequest({ privateKey: key.privateKey, body, now: NOW })
    const h = signed.headers as Record<string, string>
    expect(
      await verifyKey(body, h['x-signature-ed25519'] as string, h['x-signature-timestamp'] as string, key.publicHex),
    ).toBe(true)
    const forged = await signDiscordRequest({ privateKey: ed25519Pair().privateKey, body, now: NOW })
    const f = forged.headers as Record<string, string>
    expect(
      await verifyKey(body, f['x-signature-ed25519'] as string, f['x-signature-timestamp'] as string, key.publicHex),
    ).toBe(false)
    expect((await discord({ publicKey: key.publicHex }).verify(forged, { now: NOW })).ok).toBe(false)
    // Documented difference: the SDK accepts a day-old signature; we keep the stricter check.
    const old = await signDiscordRequest({ privateKey: key.privateKey, body, now: NOW - 86_400_000 })
    const o = old.headers as Record<string, string>
    expect(
      await verifyKey(body, o['x-signature-ed25519'] as string, o['x-signature-timestamp'] as string, key.publicHex),
    ).toBe(true)
    expect(await discord({ publicKey: key.publicHex }).verify(old, { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'timestamp_too_old' },
    })
  })
})

// --- SendGrid ----------------------------------------------------------------------------------

const sendgridKeys = [p256Pair(), p256Pair()]
const sendgridPublic = new Map(sendgridKeys.map((k) => [k.privateKey, k.publicBase64]))
const OFFICIAL_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=='
const OFFICIAL_BODY =
  '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n'
const OFFICIAL_SIGNATURE =
  'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM='

function sendgridRequest(signature: string, timestamp: string, body: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://example.test/sendgrid',
    headers: {
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'content-type': 'application/json',
    },
    body,
  }
}

testVerifier({
  name: 'sendgrid',
  secrets: [sendgridKeys[0]?.privateKey as string, sendgridKeys[1]?.privateKey as string],
  create: (secrets) => sendgrid({ publicKey: secrets.map((s) => sendgridPublic.get(s) as string) }),
  sign: ({ secret, body, now }) => signSendGridRequest({ privateKey: secret, body, now }),
  signatureHeaders: ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp'],
  toleranceMs: 300_000,
})

describe('sendgrid', () => {
  it('accepts the official vector (@sendgrid/eventwebhook spec) at its own time, and refuses it a day later', async () => {
    const provider = sendgrid({ publicKey: OFFICIAL_KEY })
    const request = sendgridRequest(OFFICIAL_SIGNATURE, '1600112502', OFFICIAL_BODY)
    const result = await provider.verify(request, { now: 1600112502_000 })
    expect(result).toMatchObject({ ok: true, type: 'dropped', timestamp: 1600112502_000 })
    expect(await provider.verify(request, { now: 1600112502_000 + 86_400_000 })).toMatchObject({
      ok: false,
      error: { code: 'timestamp_too_old' },
    })
    // The trailing CRLF is signed: trimming the body breaks it.
    expect(await provider.verify({ ...request, body: OFFICIAL_BODY.trimEnd() }, { now: 1600112502_000 })).toMatchObject(
      {
        ok: false,
        error: { code: 'invalid_signature' },
      },
    )
  })

  it('accepts the official multi-event vector (events joined by CRLF, trailing CRLF)', async () => {
    const events = [
      {
        email: 'invalid@gmail.com',
        event: 'processed',
        send_at: 0,
        sg_event_id: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA',
        sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
        'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>',
        timestamp: 1619651146,
      },
      {
        email: 'invalid@gmail.com',
        event: 'bounce',
        ip: '167.89.101.76',
        reason:
          '552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp',
        sg_event_id: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w',
        sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
        'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>',
        status: '5.2.2',
        timestamp: 1619651147,
        tls: 1,
        type: 'blocked',
      },
    ]
    const body = `${JSON.stringify(events).split('},{').join('},\r\n{')}\r\n`
    const key =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q=='
    const signature = 'MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5'
    const result = await sendgrid({ publicKey: key }).verify(sendgridRequest(signature, '1619651159', body), {
      now: 1619651159_000,
    })
    expect(result).toMatchObject({ ok: true, type: 'batch' })
    const compact = `${JSON.stringify(events)}\r\n`
    expect(
      (
        await sendgrid({ publicKey: key }).verify(sendgridRequest(signature, '1619651159', compact), {
          now: 1619651159_000,
        })
      ).ok,
    ).toBe(false)
  })

  it('accepts a signature from an independent node:crypto signer, and the key as PEM', async () => {
    const pair = p256Pair()
    const ts = String(NOW / 1000)
    const body = '[{"sg_event_id":"b","event":"open"},\r\n{"sg_event_id":"a","event":"open"}]\r\n'
    const signature = nodeSign('sha256', Buffer.from(ts + body), createPrivateKey(pair.privateKey)).toString('base64')
    const pem = createPublicKey(pair.privateKey).export({ type: 'spki', format: 'pem' }).toString()
    for (const publicKey of [pair.publicBase64, pem]) {
      expect(await sendgrid({ publicKey }).verify(sendgridRequest(signature, ts, body), { now: NOW })).toMatchObject({
        ok: true,
        type: 'open',
      })
    }
  })

  it('types a batch by its one event type, `batch` when any event differs or there is none, `` when none names one', async () => {
    const pair = sendgridKeys[0] as { privateKey: string; publicBase64: string }
    const provider = sendgrid({ publicKey: pair.publicBase64 })
    const typeOf = async (events: object[]) => {
      const result = await provider.verify(
        await signSendGridRequest({ privateKey: pair.privateKey, now: NOW, body: JSON.stringify(events) }),
        { now: NOW },
      )
      if (!result.ok) throw result.error
      return result.type
    }
    const open = (id: string) => ({ sg_event_id: id, event: 'open' })
    expect(await typeOf([open('1'), open('2'), open('3')])).toBe('open')
    expect(await typeOf([open('1'), open('2'), { sg_event_id: '3', event: 'click' }])).toBe('batch')
    expect(await typeOf([{ sg_event_id: '1', event: 'click' }, open('2'), open('3')])).toBe('batch')
    expect(await typeOf([open('1'), { sg_event_id: '2' }])).toBe('batch')
    expect(await typeOf([{ sg_event_id: '1' }, { sg_event_id: '2', event: null }])).toBe('')
    expect(await typeOf([])).toBe('batch')
  })

  it('gives a batch one id that does not depend on event order or timestamp, and refuses non-P-256 keys at setup', async () => {
    const pair = sendgridKeys[0] as { privateKey: string; publicBase64: string }
    const provider = sendgrid({ publicKey: pair.publicBase64 })
    const a = await provider.verify(
      await signSendGridRequest({
        privateKey: pair.privateKey,
        now: NOW,
        body: '[{"sg_event_id":"1","event":"open"},{"sg_event_id":"2","event":"click"}]',
      }),
      { now: NOW },
    )
    const b = await provider.verify(
      await signSendGridRequest({
        privateKey: pair.privateKey,
        now: NOW + 60_000,
        body: '[{"sg_event_id":"2","event":"click"},\r\n{"sg_event_id":"1","event":"open"}]\r\n',
      }),
      { now: NOW },
    )
    expect(a).toMatchObject({ ok: true, type: 'batch' })
    expect(a.ok && b.ok && a.id === b.id && a.id.startsWith('sha256:')).toBe(true)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64')
    expect(() => sendgrid({ publicKey: rsa })).toThrow(/P-256/)
  })

  it('SDK cross-check (@sendgrid/eventwebhook): both directions and a forgery; the SDK checks no time', async () => {
    const { EventWebhook } = require('@sendgrid/eventwebhook') as {
      EventWebhook: new () => {
        convertPublicKeyToECDSA(key: string): unknown
        verifySignature(key: unknown, payload: string, signature: string, timestamp: string): boolean
      }
    }
    const sdk = new EventWebhook()
    const pair = sendgridKeys[0] as { privateKey: string; publicBase64: string }
    const sdkKey = sdk.convertPublicKeyToECDSA(pair.publicBase64)
    const body = '[{"sg_event_id":"x1","event":"delivered"}]\r\n'
    const signed = await signSendGridRequest({ privateKey: pair.privateKey, body, now: NOW })
    const h = signed.headers as Record<string, string>
    expect(
      sdk.verifySignature(
        sdkKey,
        body,
        h['x-twilio-email-event-webhook-signature'] as string,
        h['x-twilio-email-event-webhook-timestamp'] as string,
      ),
    ).toBe(true)
    // The SDK has no signer; its own spec vector is what "SDK signs" means here.
    const official = sdk.convertPublicKeyToECDSA(OFFICIAL_KEY)
    expect(sdk.verifySignature(official, OFFICIAL_BODY, OFFICIAL_SIGNATURE, '1600112502')).toBe(true)
    expect(
      (
        await sendgrid({ publicKey: OFFICIAL_KEY }).verify(
          sendgridRequest(OFFICIAL_SIGNATURE, '1600112502', OFFICIAL_BODY),
          { now: 1600112502_000 },
        )
      ).ok,
    ).toBe(true)
    const forged = await signSendGridRequest({ privateKey: p256Pair().privateKey, body, now: NOW })
    const f = forged.headers as Record<string, string>
    expect(
      sdk.verifySignature(
        sdkKey,
        body,
        f['x-twilio-email-event-webhook-signature'] as string,
        f['x-twilio-email-event-webhook-timestamp'] as string,
      ),
    ).toBe(false)
    expect((await sendgrid({ publicKey: pair.publicBase64 }).verify(forged, { now: NOW })).ok).toBe(false)
  })
})
