// A delivery's dedupe keys come only from signed material: re-sending captured signed bytes under
// another unsigned id, another Content-Type or a whitespace-padded id is a duplicate (or refused),
// never a second event. Each test replays a genuine signed delivery the way an attacker would.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { utf8 } from '../../src/crypto/encoding.js'
import {
  contentful,
  github,
  gitlab,
  hmac,
  jira,
  lemonSqueezy,
  linear,
  mailgun,
  paypal,
  qstash,
  sanity,
  sentry,
  shopify,
  slack,
  svix,
  twilio,
  twitch,
  woocommerce,
} from '../../src/providers/index.js'
import {
  signContentfulRequest,
  signGitHubRequest,
  signGitLabRequest,
  signHmacRequest,
  signJiraRequest,
  signLemonSqueezyRequest,
  signLinearRequest,
  signMailgunRequest,
  signPayPalRequest,
  signQStashRequest,
  signSanityRequest,
  signSentryRequest,
  signShopifyRequest,
  signSlackRequest,
  signSvixRequest,
  signTwilioRequest,
  signTwitchRequest,
  signWooCommerceRequest,
} from '../../src/testing/index.js'
import type { Provider, WebhookRequest } from '../../src/types.js'
import { crc32 } from '../../src/verifiers/x509.js'
import { receiver } from './receiver.js'

const SECRET = 'replay-test-secret'
const CONTENTFUL_SECRET = 'c'.repeat(64)
const WHSEC = `whsec_${btoa('replay-test-signing-key-32-bytes')}`

function withHeaders(request: WebhookRequest, headers: Record<string, string>): WebhookRequest {
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } }
}

async function expectReplayRefused(provider: Provider, original: WebhookRequest, replay: WebhookRequest) {
  const { handler, events, duplicates } = receiver(provider)
  expect((await handler.handle(original)).status).toBe(200)
  const answer = await handler.handle(replay)
  // A duplicate is answered 200 (the provider must stop), a refused signature 401: never queued.
  // The handler's own report says which: Twilio and Slack commands acknowledge with a fixed body.
  expect([200, 401]).toContain(answer.status)
  if (answer.status === 200) expect(duplicates).toHaveLength(1)
  expect(events).toHaveLength(1)
}

describe('presets whose id is not signed claim a key from the signed material too', () => {
  const body = { id: 1, action: 'opened', updated_at: '2026-11-27T12:00:00Z' }

  it('github: the same body under another X-GitHub-Delivery is a duplicate', async () => {
    const original = await signGitHubRequest({ secret: SECRET, body, id: 'delivery-1', event: 'issues' })
    await expectReplayRefused(
      github({ secret: SECRET }),
      original,
      withHeaders(original, { 'x-github-delivery': 'delivery-2' }),
    )
  })

  it('shopify: another X-Shopify-Event-Id', async () => {
    const original = await signShopifyRequest({ secret: SECRET, body, eventId: 'event-1' })
    await expectReplayRefused(
      shopify({ secret: SECRET }),
      original,
      withHeaders(original, { 'x-shopify-event-id': 'event-2' }),
    )
  })

  it('jira: another X-Atlassian-Webhook-Identifier', async () => {
    const original = await signJiraRequest({ secret: SECRET, body: { webhookEvent: 'jira:issue_created' }, id: 'a' })
    await expectReplayRefused(
      jira({ secret: SECRET }),
      original,
      withHeaders(original, { 'x-atlassian-webhook-identifier': 'b' }),
    )
  })

  it('sentry: another Request-ID', async () => {
    const original = await signSentryRequest({ secret: SECRET, body, id: 'r1' })
    await expectReplayRefused(sentry({ secret: SECRET }), original, withHeaders(original, { 'request-id': 'r2' }))
  })

  it('woocommerce: another topic header changes the id, not the key of the signed body', async () => {
    const original = await signWooCommerceRequest({ secret: SECRET, body: { ...body, date_modified_gmt: 'x' } })
    await expectReplayRefused(
      woocommerce({ secret: SECRET }),
      original,
      withHeaders(original, { 'x-wc-webhook-topic': 'order.deleted' }),
    )
  })

  it('linear: another Linear-Delivery', async () => {
    const now = Date.now()
    const original = await signLinearRequest({ secret: SECRET, body: { type: 'Issue' }, id: 'l1', now })
    await expectReplayRefused(linear({ secret: SECRET }), original, withHeaders(original, { 'linear-delivery': 'l2' }))
  })

  it('sanity: another idempotency-key', async () => {
    const original = await signSanityRequest({ secret: SECRET, body: { _id: 'doc' }, idempotencyKey: 'k1' })
    await expectReplayRefused(sanity({ secret: SECRET }), original, withHeaders(original, { 'idempotency-key': 'k2' }))
  })

  it('qstash: another Upstash-Message-Id', async () => {
    const original = await signQStashRequest({ secret: SECRET, body: { n: 1 }, messageId: 'm1' })
    await expectReplayRefused(
      qstash({ secret: SECRET }),
      original,
      withHeaders(original, { 'upstash-message-id': 'm2' }),
    )
  })

  it('contentful: another X-Contentful-Idempotency-Key (not among the signed headers)', async () => {
    const original = await signContentfulRequest({
      secret: CONTENTFUL_SECRET,
      body: { sys: { id: 'e' } },
      idempotencyKey: 'c1',
    })
    const signed = String((original.headers as Record<string, string>)['x-contentful-signed-headers'] ?? '')
    expect(signed.toLowerCase()).not.toContain('x-contentful-idempotency-key')
    await expectReplayRefused(
      contentful({ secret: CONTENTFUL_SECRET }),
      original,
      withHeaders(original, { 'x-contentful-idempotency-key': 'c2' }),
    )
  })

  it('twilio: another I-Twilio-Idempotency-Token', async () => {
    const original = await signTwilioRequest({
      secret: SECRET,
      params: { MessageSid: 'SM1', MessageStatus: 'delivered' },
      idempotencyToken: 't1',
    })
    await expectReplayRefused(
      twilio({ secret: SECRET }),
      original,
      withHeaders(original, { 'i-twilio-idempotency-token': 't2' }),
    )
  })

  it('hmac() with idHeader: another id header', async () => {
    const provider = hmac({ name: 'acme', header: 'x-acme-signature', secret: SECRET, idHeader: 'x-acme-id' })
    const original = await signHmacRequest({
      secret: SECRET,
      header: 'x-acme-signature',
      body,
      headers: { 'x-acme-id': 'a1' },
    })
    await expectReplayRefused(provider, original, withHeaders(original, { 'x-acme-id': 'a2' }))
  })

  it('a genuine retry (same id, same signed bytes) and a new event (new id, new bytes) behave as before', async () => {
    const { handler, events } = receiver(github({ secret: SECRET }))
    const first = await signGitHubRequest({ secret: SECRET, body, id: 'd1' })
    expect((await handler.handle(first)).status).toBe(200)
    expect(JSON.parse((await handler.handle(first)).body)).toMatchObject({ duplicate: true })
    const next = await signGitHubRequest({ secret: SECRET, body: { ...body, id: 2 }, id: 'd2' })
    expect(JSON.parse((await handler.handle(next)).body)).not.toHaveProperty('duplicate')
    expect(events.map((e) => e.id)).toEqual(['d1', 'd2'])
  })
})

describe('signed one-time tokens are single-use', () => {
  it('mailgun: a captured signature block cannot carry another event', async () => {
    const original = await signMailgunRequest({
      secret: SECRET,
      body: JSON.stringify({ id: 'e1', event: 'delivered', recipient: 'a@example.test' }),
    })
    const forged = JSON.parse(String(original.body)) as Record<string, Record<string, unknown>>
    forged['event-data'] = { id: 'e2', event: 'delivered', recipient: 'b@example.test' }
    await expectReplayRefused(mailgun({ secret: SECRET }), original, { ...original, body: JSON.stringify(forged) })
  })

  // CRC-32 is linear over GF(2): flipping bit 0x02 of chosen padding characters ('a' <-> 'c')
  // moves the CRC by the XOR of known vectors, so 64 of them can reach any CRC.
  function forgeSameCrc(original: string, build: (pad: string) => string): string {
    const target = crc32(utf8(original))
    const width = 64
    const base = build('a'.repeat(width))
    const at = base.indexOf('a'.repeat(width))
    const bytes = utf8(base)
    const start = crc32(bytes)
    const basis = new Map<number, { vector: number; mask: bigint }>()
    for (let i = 0; i < width; i++) {
      const flipped = bytes.slice()
      flipped[at + i] = (flipped[at + i] as number) ^ 0x02
      let vector = (crc32(flipped) ^ start) >>> 0
      let mask = 1n << BigInt(i)
      for (let bit = 31; bit >= 0 && vector !== 0; bit--) {
        if (!((vector >>> bit) & 1)) continue
        const row = basis.get(bit)
        if (!row) {
          basis.set(bit, { vector, mask })
          break
        }
        vector = (vector ^ row.vector) >>> 0
        mask ^= row.mask
      }
    }
    let rest = (start ^ target) >>> 0
    let flips = 0n
    for (let bit = 31; bit >= 0; bit--) {
      if (!((rest >>> bit) & 1)) continue
      const row = basis.get(bit)
      if (!row) throw new Error('padding does not span CRC-32')
      rest = (rest ^ row.vector) >>> 0
      flips ^= row.mask
    }
    const out = bytes.slice()
    for (let i = 0; i < width; i++) if ((flips >> BigInt(i)) & 1n) out[at + i] = (out[at + i] as number) ^ 0x02
    const forged = new TextDecoder().decode(out)
    expect(crc32(utf8(forged))).toBe(target)
    return forged
  }

  it('paypal: one captured signature cannot carry a second body with the same CRC-32', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')
    const certUrl = 'https://api.paypal.com/v1/notifications/certs/CERT-replay'
    const provider = paypal({
      webhookId: 'WH-REPLAY',
      fetch: async () => ({ ok: true, status: 200, text: async () => fixture('signer-1.cert.pem') }),
    })
    const body = '{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":"1.00"}}'
    const original = await signPayPalRequest({
      privateKey: fixture('signer-1.key.pem'),
      certUrl,
      webhookId: 'WH-REPLAY',
      body,
    })
    const forged = forgeSameCrc(
      body,
      (pad) => `{"id":"WH-2","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":"9999.00"},"p":"${pad}"}`,
    )
    // The offline signature verifies the forged body: that is the CRC-32 weakness itself.
    const { handler: alone, events: forgedOnly } = receiver(provider)
    expect((await alone.handle({ ...original, body: forged })).status).toBe(200)
    expect(forgedOnly.map((e) => e.id)).toEqual(['WH-2'])
    // After the genuine delivery, the captured signature is spent.
    await expectReplayRefused(provider, original, { ...original, body: forged })
  })

  it('paypal: verifyWithPayPal gets what the verify-webhook-signature API takes, and its false refuses', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')
    const asked: unknown[] = []
    let answer = false
    const provider = paypal({
      webhookId: ['WH-OTHER', 'WH-REPLAY'],
      fetch: async () => ({ ok: true, status: 200, text: async () => fixture('signer-1.cert.pem') }),
      verifyWithPayPal: async (request) => {
        asked.push(request)
        return answer
      },
    })
    const request = await signPayPalRequest({
      privateKey: fixture('signer-1.key.pem'),
      certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-replay',
      webhookId: 'WH-REPLAY',
      body: '{"id":"WH-9","event_type":"X"}',
    })
    const { handler, events } = receiver(provider)
    expect((await handler.handle(request)).status).toBe(401)
    expect(asked[0]).toMatchObject({
      webhook_id: 'WH-REPLAY',
      webhook_event: { id: 'WH-9' },
      auth_algo: 'SHA256withRSA',
    })
    answer = true
    expect((await handler.handle(request)).status).toBe(200)
    expect(events).toHaveLength(1)
  })
})

describe('ids are used exactly as signed', () => {
  it('svix: a webhook-id with a trailing U+00A0 no longer verifies as the id without it', async () => {
    const original = await signSvixRequest({ secret: WHSEC, id: 'msg_1', body: { type: 'x' } })
    await expectReplayRefused(svix({ secret: WHSEC }), original, withHeaders(original, { 'svix-id': 'msg_1\u00A0' }))
  })

  it('twitch: a Twitch-Eventsub-Message-Id with a trailing U+00A0 is refused', async () => {
    const original = await signTwitchRequest({
      secret: SECRET,
      id: 'tw-1',
      body: { subscription: { type: 'channel.follow' }, event: {} },
    })
    await expectReplayRefused(
      twitch({ secret: SECRET }),
      original,
      withHeaders(original, { 'twitch-eventsub-message-id': 'tw-1\u00A0' }),
    )
  })

  it('over real HTTP, node:http keeps a trailing U+00A0 byte in svix-id, and the replay is not queued', async () => {
    const original = await signSvixRequest({ secret: WHSEC, id: 'msg_http', body: { type: 'x' } })
    const { handler, events } = receiver(svix({ secret: WHSEC }))
    const server = createServer(toNodeListener(handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    // Written byte by byte: node:http's own client would send U+00A0 as UTF-8 (C2 A0), but
    // a raw 0xA0 byte is what reaches the handler as a lone U+00A0 (node:http reads latin1).
    const send = (id: string) =>
      new Promise<number>((resolve, reject) => {
        const body = Buffer.from(original.body as string)
        const headers = { ...(original.headers as Record<string, string>), 'svix-id': id }
        const head = [
          'POST /webhooks HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
          `Content-Length: ${body.length}`,
          'Connection: close',
          '',
          '',
        ].join('\r\n')
        const socket = connect(port, '127.0.0.1')
        let reply = ''
        socket.on('data', (chunk) => {
          reply += chunk.toString('latin1')
        })
        socket.on('end', () => resolve(Number(reply.split(' ')[1])))
        socket.on('error', reject)
        // Not socket.end(): node:http aborts a request whose client half-closed before its body
        // was read, and the Node adapters load the body reader when they are created.
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]))
      })
    try {
      expect(await send('msg_http')).toBe(200)
      expect(await send('msg_http\u00A0')).toBe(401)
      expect(events).toHaveLength(1)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('GitLab with a signing token', () => {
  it('takes its id from the signed webhook-id, never from Idempotency-Key', async () => {
    const provider = gitlab({ secret: SECRET, signingToken: WHSEC })
    const original = await signGitLabRequest({ secret: SECRET, signingToken: WHSEC, body: { object_kind: 'push' } })
    const { handler, events } = receiver(provider)
    expect((await handler.handle(original)).status).toBe(200)
    const replay = withHeaders(original, { 'idempotency-key': 'chosen-by-attacker' })
    expect(JSON.parse((await handler.handle(replay)).body)).toMatchObject({ duplicate: true })
    expect(events).toHaveLength(1)
    expect(events[0]?.id).toBe((original.headers as Record<string, string>)['webhook-id'])
  })
})

describe('Slack', () => {
  it('the same signed bytes are a duplicate whatever the unsigned Content-Type says', async () => {
    const original = await signSlackRequest({
      secret: SECRET,
      body: { type: 'event_callback', event_id: 'Ev1', event: { type: 'message' } },
    })
    await expectReplayRefused(
      slack({ secret: SECRET }),
      original,
      withHeaders(original, { 'content-type': 'application/x-www-form-urlencoded' }),
    )
  })
})

describe('event.type comes from the signed body where the body states it', () => {
  it('lemon squeezy: meta.event_name wins over an unsigned X-Event-Name', async () => {
    const request = await signLemonSqueezyRequest({
      secret: SECRET,
      body: { meta: { event_name: 'order_created' }, data: {} },
      event: 'order_refunded',
    })
    const { handler, events } = receiver(lemonSqueezy({ secret: SECRET }))
    expect((await handler.handle(request)).status).toBe(200)
    expect(events[0]?.type).toBe('order_created')
  })

  it('twitch: subscription.type wins over unsigned type headers, and a notification is never a revocation', async () => {
    const request = await signTwitchRequest({
      secret: SECRET,
      body: { subscription: { type: 'channel.follow', status: 'enabled' }, event: { user_id: '1' } },
      subscriptionType: 'channel.ban',
      messageType: 'revocation',
    })
    const { handler, events } = receiver(twitch({ secret: SECRET }))
    expect((await handler.handle(request)).status).toBe(200)
    expect(events[0]?.type).toBe('channel.follow')
    const revoked = await signTwitchRequest({
      secret: SECRET,
      body: { subscription: { type: 'channel.follow', status: 'authorization_revoked' } },
      messageType: 'revocation',
    })
    expect((await handler.handle(revoked)).status).toBe(200)
    expect(events[1]?.type).toBe('revocation')
  })
})
