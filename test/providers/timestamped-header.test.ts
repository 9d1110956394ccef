// Family B: one timestamped `key=value` signature header (Stripe, Paddle, Sanity, Mux, Calendly).
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { calendly, mux, paddle, sanity, stripe } from '../../src/providers/index.js'
import {
  signCalendlyRequest,
  signMuxRequest,
  signPaddleRequest,
  signSanityRequest,
  signStripeRequest,
} from '../../src/testing/index.js'
import type { Provider, VerifyResult, WebhookRequest } from '../../src/types.js'
import { NOW, testVerifier } from './verifier-suite.js'

const NOW_S = Math.floor(NOW / 1000)

function post(headers: Record<string, string>, body: string, url = 'https://example.test/webhooks'): WebhookRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, body }
}

function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex')
}

function expectCode(result: VerifyResult, code: string): void {
  expect(result.ok).toBe(false)
  if (!result.ok) expect(result.error.code).toBe(code)
}

async function accepted(provider: Provider, request: WebhookRequest, now = NOW) {
  const result = await provider.verify(request, { now })
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`)
  return result
}

testVerifier({
  name: 'paddle',
  secrets: ['pdl_ntfset_01h_current', 'pdl_ntfset_01h_previous'],
  create: (secrets) => paddle({ secret: secrets }),
  sign: ({ secret, body, now }) => signPaddleRequest({ secret, body, now }),
  signatureHeaders: ['paddle-signature'],
  body: '{"event_id": "evt_01h", "event_type": "transaction.paid", "notification_id": "ntf_1", "data": {"name": "Zoë"}}',
  toleranceMs: 5_000,
  expectedId: 'evt_01h',
  expectedType: 'transaction.paid',
})

testVerifier({
  name: 'sanity',
  secrets: ['sanity-current', 'sanity-previous'],
  create: (secrets) => sanity({ secret: secrets }),
  sign: ({ secret, body, now }) =>
    signSanityRequest({ secret, body, now, idempotencyKey: 'idem-1', operation: 'create' }),
  signatureHeaders: ['sanity-webhook-signature'],
  toleranceMs: 300_000,
  expectedId: 'idem-1',
  expectedType: 'create',
})

testVerifier({
  name: 'mux',
  secrets: ['mux-current', 'mux-previous'],
  create: (secrets) => mux({ secret: secrets }),
  sign: ({ secret, body, now }) => signMuxRequest({ secret, body, now }),
  signatureHeaders: ['mux-signature'],
  toleranceMs: 300_000,
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'calendly',
  secrets: ['calendly-current', 'calendly-previous'],
  create: (secrets) => calendly({ secret: secrets }),
  sign: ({ secret, body, now }) => signCalendlyRequest({ secret, body, now }),
  signatureHeaders: ['calendly-webhook-signature'],
  body: '{"event": "invitee.created", "created_at": "2026-11-27T12:00:00Z", "payload": {"uri": "https://api.calendly.com/scheduled_events/E1/invitees/I1", "name": "Zoë"}}',
  toleranceMs: 180_000,
  expectedId: 'invitee.created:https://api.calendly.com/scheduled_events/E1/invitees/I1',
  expectedType: 'invitee.created',
})

describe('known answers (official vectors, and node:crypto reference signers)', () => {
  // sanity-io/webhook-toolkit test/signature.test.ts; shared/reference/providers.md §Test vectors 7.
  it('Sanity: both official vectors (ms timestamps, base64url)', async () => {
    const vectors = [
      {
        secret: 'test',
        body: '{"_id":"resume"}',
        header: 't=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0',
      },
      {
        secret: 'try-me',
        body: '{"title":"GROQ-Hooks are neat"}',
        header: 't=1633518820676,v1=e7C9h2sfbFfc4V7TEz7PSOp4IoNzl0UdVsBV-1wgdeA',
      },
    ]
    for (const v of vectors) {
      const signedAt = Number(/t=(\d+)/.exec(v.header)?.[1])
      const request = post({ 'sanity-webhook-signature': v.header, 'idempotency-key': 'k' }, v.body)
      const result = await accepted(sanity({ secret: v.secret }), request, signedAt + 1000)
      expect(result.timestamp).toBe(signedAt)
      expect(result.id).toBe('k')
      // The SDK accepts a space after the comma; so do we.
      const spaced = post({ 'sanity-webhook-signature': v.header.replace(',', ', ') }, v.body)
      expect((await sanity({ secret: v.secret }).verify(spaced, { now: signedAt })).ok).toBe(true)
      expectCode(await sanity({ secret: `${v.secret}x` }).verify(request, { now: signedAt }), 'invalid_signature')
      // Milliseconds, not seconds: an hour later is stale.
      expectCode(await sanity({ secret: v.secret }).verify(request, { now: signedAt + 3_600_000 }), 'timestamp_too_old')
    }
  })

  it('Paddle: ts:body with a colon, semicolon-separated, any h1 of several', async () => {
    const body = '{"event_id":"evt_1","event_type":"subscription.created"}'
    const mac = (secret: string) => hmacHex(secret, `${NOW_S}:${body}`)
    const header = `ts=${NOW_S};h1=${mac('old-secret')};h1=${mac('new-secret')}`
    const result = await accepted(paddle({ secret: 'new-secret' }), post({ 'paddle-signature': header }, body))
    expect(result).toMatchObject({ id: 'evt_1', type: 'subscription.created', timestamp: NOW_S * 1000 })
    // Stripe's dot joiner is not Paddle's scheme.
    const dotted = `ts=${NOW_S};h1=${hmacHex('new-secret', `${NOW_S}.${body}`)}`
    expectCode(
      await paddle({ secret: 'new-secret' }).verify(post({ 'paddle-signature': dotted }, body), { now: NOW }),
      'invalid_signature',
    )
  })

  it('Mux: t.body, any v1 of several', async () => {
    const body = '{"id":"3a56ac3d","type":"video.asset.ready"}'
    const header = `t=${NOW_S},v1=${hmacHex('other', `${NOW_S}.${body}`)},v1=${hmacHex('mux-secret', `${NOW_S}.${body}`)}`
    const result = await accepted(mux({ secret: 'mux-secret' }), post({ 'mux-signature': header }, body))
    expect(result).toMatchObject({ id: '3a56ac3d', type: 'video.asset.ready' })
  })

  it('Calendly: t.body; without event + payload.uri the id is the SHA-256 of the body', async () => {
    const body = '{"event":"routing_form_submission.created","payload":{}}'
    const header = `t=${NOW_S},v1=${hmacHex('signing-key', `${NOW_S}.${body}`)}`
    const result = await accepted(
      calendly({ secret: 'signing-key' }),
      post({ 'calendly-webhook-signature': header }, body),
    )
    const { createHash } = await import('node:crypto')
    expect(result.id).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`)
    expect(result.type).toBe('routing_form_submission.created')
  })

  it('Stripe: t.body with the whsec_ secret used as text', async () => {
    const body = '{"id":"evt_1","type":"invoice.paid"}'
    const header = `t=${NOW_S},v1=${hmacHex('whsec_abc', `${NOW_S}.${body}`)},v0=${'0'.repeat(64)}`
    expect((await accepted(stripe({ secret: 'whsec_abc' }), post({ 'stripe-signature': header }, body))).id).toBe(
      'evt_1',
    )
  })
})

describe('setup mistakes throw at factory time', () => {
  it('refuses a missing secret and a bad tolerance, naming the preset', () => {
    for (const make of [stripe, paddle, sanity, mux, calendly]) {
      expect(() => make({ secret: '' })).toThrow(/\[webhook-inbox\] \[\w+\] `secret`/)
      expect(() => make({ secret: 's', toleranceMs: -1 })).toThrow(/toleranceMs/)
    }
  })
})

describe('SDK cross-checks', () => {
  it('stripe: the SDK signs and we accept; we sign and the SDK accepts; a forgery fails both', async () => {
    const { default: Stripe } = await import('stripe')
    const client = new Stripe('sk_test_x')
    const body = JSON.stringify({ id: 'evt_sdk', object: 'event', type: 'charge.succeeded' })
    const now = Date.now()
    const sdkHeader = client.webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_sdk',
      timestamp: Math.floor(now / 1000),
    })
    expect(
      (await accepted(stripe({ secret: 'whsec_sdk' }), post({ 'stripe-signature': sdkHeader }, body), now)).id,
    ).toBe('evt_sdk')
    const ours = await signStripeRequest({ secret: 'whsec_sdk', body, now })
    const header = (ours.headers as Record<string, string>)['stripe-signature'] as string
    expect(client.webhooks.constructEvent(body, header, 'whsec_sdk').id).toBe('evt_sdk')
    const forged = header.replace(/v1=(.)/, (_m, c: string) => `v1=${c === 'a' ? 'b' : 'a'}`)
    expect(() => client.webhooks.constructEvent(body, forged, 'whsec_sdk')).toThrow()
    expectCode(
      await stripe({ secret: 'whsec_sdk' }).verify(post({ 'stripe-signature': forged }, body), { now }),
      'invalid_signature',
    )
    // Difference: stripe-node accepts a timestamp from the future; we refuse it past the tolerance.
    const future = client.webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_sdk',
      timestamp: Math.floor(now / 1000) + 3600,
    })
    expect(client.webhooks.constructEvent(body, future, 'whsec_sdk').id).toBe('evt_sdk')
    expectCode(
      await stripe({ secret: 'whsec_sdk' }).verify(post({ 'stripe-signature': future }, body), { now }),
      'timestamp_in_future',
    )
  })

  it('@paddle/paddle-node-sdk: both directions, and where it is looser or stricter', async () => {
    const { Paddle } = await import('@paddle/paddle-node-sdk')
    // The client registers the SDK's crypto provider; a bare `new Webhooks()` reports "Unknown runtime".
    const sdk = new Paddle('pdl_sdbx_apikey_test').webhooks
    const body = JSON.stringify({
      event_id: 'evt_sdk',
      event_type: 'customer.created',
      occurred_at: '2026-11-27T12:00:00Z',
      notification_id: 'ntf_1',
      data: {},
    })
    const now = Date.now()
    const ours = await signPaddleRequest({ secret: 'pdl_ntfset_sdk', body, now })
    const header = (ours.headers as Record<string, string>)['paddle-signature'] as string
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', header)).toBe(true)
    // The SDK has no signer: its own check is the reference it signs against.
    const reference = `ts=${Math.floor(now / 1000)};h1=${hmacHex('pdl_ntfset_sdk', `${Math.floor(now / 1000)}:${body}`)}`
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', reference)).toBe(true)
    expect(
      (await accepted(paddle({ secret: 'pdl_ntfset_sdk' }), post({ 'paddle-signature': reference }, body), now)).id,
    ).toBe('evt_sdk')
    const forged = reference.replace(/h1=(.)/, (_m, c: string) => `h1=${c === 'a' ? 'b' : 'a'}`)
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', forged)).toBe(false)
    expectCode(
      await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': forged }, body), { now }),
      'invalid_signature',
    )
    // Agreement: the SDK keeps only the last h1, so a header whose good signature comes first
    // fails there, and here; with the good one last it passes in both.
    const rotating = `${reference};h1=${'0'.repeat(64)}`
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', rotating)).toBe(false)
    expectCode(
      await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': rotating }, body), { now }),
      'invalid_signature',
    )
    const lastGood = `ts=${Math.floor(now / 1000)};h1=${'0'.repeat(64)};${reference.split(';')[1]}`
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', lastGood)).toBe(true)
    expect(
      (await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': lastGood }, body), { now })).ok,
    ).toBe(true)
    // Agreement: upper-case hex fails the SDK's string compare, and here.
    const upper = reference.replace(/h1=(.*)$/, (_m, h: string) => `h1=${h.toUpperCase()}`)
    expect(await sdk.isSignatureValid(body, 'pdl_ntfset_sdk', upper)).toBe(false)
    expect(
      (await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': upper }, body), { now })).ok,
    ).toBe(false)
    // Agreement on the window: the SDK's 5 s, past side, a timestamp exactly 5 s old still valid.
    const signedAt = Math.floor(now / 1000) * 1000
    expect(
      (
        await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': reference }, body), {
          now: signedAt + 5000,
        })
      ).ok,
    ).toBe(true)
    expectCode(
      await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': reference }, body), {
        now: signedAt + 5001,
      }),
      'timestamp_too_old',
    )
    // Deliberate difference (stricter): the SDK has no future check; here 5 s ahead is the limit.
    expectCode(
      await paddle({ secret: 'pdl_ntfset_sdk' }).verify(post({ 'paddle-signature': reference }, body), {
        now: signedAt - 5001,
      }),
      'timestamp_in_future',
    )
  })

  it('@sanity/webhook: both directions; the SDK checks no time, we do', async () => {
    const sdk = await import('@sanity/webhook')
    const body = '{"_id":"movie_1","title":"Alien"}'
    const now = Date.now()
    const sdkHeader = await sdk.encodeSignatureHeader(body, now, 'sanity-secret')
    expect(
      (await accepted(sanity({ secret: 'sanity-secret' }), post({ 'sanity-webhook-signature': sdkHeader }, body), now))
        .timestamp,
    ).toBe(now)
    const ours = await signSanityRequest({ secret: 'sanity-secret', body, now })
    const header = (ours.headers as Record<string, string>)['sanity-webhook-signature'] as string
    expect(await sdk.isValidSignature(body, header, 'sanity-secret')).toBe(true)
    expect(await sdk.isValidSignature(body, header, 'other-secret')).toBe(false)
    expectCode(
      await sanity({ secret: 'other-secret' }).verify(post({ 'sanity-webhook-signature': header }, body), { now }),
      'invalid_signature',
    )
    const old = await sdk.encodeSignatureHeader(body, now - 86_400_000, 'sanity-secret')
    expect(await sdk.isValidSignature(body, old, 'sanity-secret')).toBe(true)
    expectCode(
      await sanity({ secret: 'sanity-secret' }).verify(post({ 'sanity-webhook-signature': old }, body), { now }),
      'timestamp_too_old',
    )
  })

  it('@mux/mux-node: we sign and the SDK accepts (it has no signer); a forgery fails both', async () => {
    const { default: Mux } = await import('@mux/mux-node')
    const client = new Mux({ tokenId: 'x', tokenSecret: 'y' })
    const body = JSON.stringify({ id: 'evt_mux', type: 'video.asset.ready', data: {} })
    const now = Date.now()
    const ours = await signMuxRequest({ secret: 'mux-secret', body, now })
    const headers = ours.headers as Record<string, string>
    await expect(client.webhooks.verifySignature(body, headers, 'mux-secret')).resolves.toBeUndefined()
    const forged = {
      ...headers,
      'mux-signature': `t=${Math.floor(now / 1000)},v1=${hmacHex('mux-other', `${Math.floor(now / 1000)}.${body}`)}`,
    }
    await expect(client.webhooks.verifySignature(body, forged, 'mux-secret')).rejects.toThrow()
    expectCode(await mux({ secret: 'mux-secret' }).verify({ ...ours, headers: forged }, { now }), 'invalid_signature')
    expect((await accepted(mux({ secret: 'mux-secret' }), ours, now)).id).toBe('evt_mux')
  })
})
