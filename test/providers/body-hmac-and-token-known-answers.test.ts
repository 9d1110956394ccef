// Known answers for family A / J: every expected signature here is computed by an independent
// node:crypto reference signer written in this file, never by the code under test. Handshakes
// are checked byte for byte through the real handler.
import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore } from '../../src/index.js'
import {
  bitbucket,
  dropbox,
  gitlab,
  intercom,
  jira,
  lemonSqueezy,
  linear,
  mailgun,
  meta,
  microsoftGraph,
  notion,
  postmark,
  segment,
  sentry,
  shopify,
  typeform,
  vercel,
  woocommerce,
  xero,
} from '../../src/providers/index.js'
import {
  signBitbucketRequest,
  signDropboxRequest,
  signGitLabRequest,
  signIntercomRequest,
  signJiraRequest,
  signLemonSqueezyRequest,
  signLinearRequest,
  signMailgunRequest,
  signMetaRequest,
  signMicrosoftGraphRequest,
  signNotionRequest,
  signPostmarkRequest,
  signSegmentRequest,
  signSentryRequest,
  signShopifyRequest,
  signTypeformRequest,
  signVercelRequest,
  signWooCommerceRequest,
  signXeroRequest,
} from '../../src/testing/index.js'
import type { Provider, VerifyResult, WebhookEvent, WebhookRequest } from '../../src/types.js'
import { NOW } from './verifier-suite.js'

const hmacOf = (algorithm: 'sha1' | 'sha256', key: string | Buffer, data: string, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, key).update(data, 'utf8').digest(encoding)
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex')

function post(headers: Record<string, string>, body: string, url = 'https://example.test/hooks'): WebhookRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, body }
}

async function verify(provider: Provider, request: WebhookRequest, now = NOW): Promise<VerifyResult> {
  return provider.verify(request, { now })
}

function expectCode(result: VerifyResult, code: string): void {
  expect(result.ok).toBe(false)
  if (!result.ok) expect(result.error.code).toBe(code)
}

function receiver(provider: Provider) {
  const events: WebhookEvent[] = []
  const handler = createWebhookHandler({
    provider,
    store: memoryStore(),
    now: () => NOW,
    enqueue: (event) => {
      events.push(event)
    },
  })
  return { handler, events }
}

// A body with spaces, a unicode escape and a raw non-ASCII character: any re-serialisation changes it.
const BODY = '{"id": "evt_kat", "type": "kat.event", "text": "caf\\u00e9 Zoë"}'

describe('plain HMAC of the body: independent signatures are accepted, near misses refused', () => {
  const cases: {
    name: string
    provider: (secret: string) => Provider
    header: string
    algorithm: 'sha1' | 'sha256'
    encoding: 'hex' | 'base64'
    prefix: string
    extra?: Record<string, string>
    id?: string
    type?: string
  }[] = [
    {
      name: 'bitbucket',
      provider: (secret) => bitbucket({ secret }),
      header: 'X-Hub-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      extra: { 'X-Event-Key': 'repo:push' },
      id: `sha256:${sha256Hex(BODY)}`,
      type: 'repo:push',
    },
    {
      name: 'jira',
      provider: (secret) => jira({ secret }),
      header: 'X-Hub-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      extra: { 'X-Atlassian-Webhook-Identifier': 'wh-9' },
      id: 'wh-9',
    },
    {
      name: 'meta',
      provider: (secret) => meta({ secret }),
      header: 'X-Hub-Signature-256',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      id: `sha256:${sha256Hex(BODY)}`,
    },
    {
      name: 'intercom',
      provider: (secret) => intercom({ secret }),
      header: 'X-Hub-Signature',
      algorithm: 'sha1',
      encoding: 'hex',
      prefix: 'sha1=',
      id: 'evt_kat',
    },
    {
      name: 'notion',
      provider: (secret) => notion({ secret }),
      header: 'X-Notion-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      id: 'evt_kat',
      type: 'kat.event',
    },
    {
      name: 'typeform',
      provider: (secret) => typeform({ secret }),
      header: 'Typeform-Signature',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: 'sha256=',
    },
    {
      name: 'shopify (X-Shopify-Hmac-Sha256)',
      provider: (secret) => shopify({ secret }),
      header: 'X-Shopify-Hmac-Sha256',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: '',
      extra: { 'X-Shopify-Event-Id': 'shop-evt', 'X-Shopify-Topic': 'orders/create' },
      id: 'shop-evt',
      type: 'orders/create',
    },
    {
      name: 'shopify (shopify-hmac-sha256)',
      provider: (secret) => shopify({ secret }),
      header: 'shopify-hmac-sha256',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: '',
      extra: { 'shopify-event-id': 'shop-evt-2', 'shopify-topic': 'orders/paid' },
      id: 'shop-evt-2',
      type: 'orders/paid',
    },
    {
      name: 'woocommerce',
      provider: (secret) => woocommerce({ secret }),
      header: 'X-WC-Webhook-Signature',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: '',
      extra: { 'X-WC-Webhook-Topic': 'order.created' },
      id: `sha256:${sha256Hex(BODY)}`,
      type: 'order.created',
    },
    {
      name: 'xero',
      provider: (secret) => xero({ secret }),
      header: 'x-xero-signature',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: '',
      id: `sha256:${sha256Hex(BODY)}`,
    },
    {
      name: 'vercel',
      provider: (secret) => vercel({ secret }),
      header: 'x-vercel-signature',
      algorithm: 'sha1',
      encoding: 'hex',
      prefix: '',
      id: 'evt_kat',
      type: 'kat.event',
    },
    {
      name: 'dropbox',
      provider: (secret) => dropbox({ secret }),
      header: 'X-Dropbox-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
    },
    {
      name: 'sentry',
      provider: (secret) => sentry({ secret }),
      header: 'Sentry-Hook-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
      extra: { 'Request-ID': 'req-kat', 'Sentry-Hook-Resource': 'installation' },
      id: 'req-kat',
      type: 'installation',
    },
    {
      name: 'lemonSqueezy',
      provider: (secret) => lemonSqueezy({ secret }),
      header: 'X-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
      // Not signed, so not the type: BODY states no meta.event_name.
      extra: { 'X-Event-Name': 'order_created' },
      id: `sha256:${sha256Hex(BODY)}`,
      type: '',
    },
    {
      name: 'segment',
      provider: (secret) => segment({ secret }),
      header: 'X-Signature',
      algorithm: 'sha1',
      encoding: 'hex',
      prefix: '',
    },
  ]

  for (const c of cases) {
    it(c.name, async () => {
      const secret = `kat-secret-${c.name}`
      const provider = c.provider(secret)
      const sign = (key: string, body: string, encoding = c.encoding) =>
        c.prefix + hmacOf(c.algorithm, key, body, encoding)
      const result = await verify(provider, post({ [c.header]: sign(secret, BODY), ...c.extra }, BODY))
      expect(result.ok).toBe(true)
      if (result.ok) {
        if (c.id) expect(result.id).toBe(c.id)
        if (c.type) expect(result.type).toBe(c.type)
      }
      // Another key, another body, and the right MAC in the other encoding are all refused.
      expectCode(
        await verify(provider, post({ [c.header]: sign(`${secret}x`, BODY), ...c.extra }, BODY)),
        'invalid_signature',
      )
      expectCode(
        await verify(provider, post({ [c.header]: sign(secret, BODY), ...c.extra }, BODY.replace('Zoë', 'Zoe'))),
        'invalid_signature',
      )
      const other = c.encoding === 'hex' ? 'base64' : 'hex'
      expect((await verify(provider, post({ [c.header]: sign(secret, BODY, other), ...c.extra }, BODY))).ok).toBe(false)
    })
  }

  it('bitbucket refuses a GitHub-style sha1 value in the same header', async () => {
    const provider = bitbucket({ secret: 's' })
    const sha1 = `sha1=${hmacOf('sha1', 's', BODY, 'hex')}`
    expectCode(await verify(provider, post({ 'x-hub-signature': sha1 }, BODY)), 'malformed_signature')
  })

  it('segment: a batch has no messageId; its id is the SHA-256 of the body, stable across retries', async () => {
    const batch = '[{"messageId": "a", "type": "track"}, {"messageId": "b", "type": "identify"}]'
    const request = () => post({ 'x-signature': hmacOf('sha1', 'seg', batch, 'hex') }, batch)
    const { handler, events } = receiver(segment({ secret: 'seg' }))
    const first = await handler.handle(request())
    const retry = await handler.handle(request())
    expect(first.status).toBe(200)
    expect(JSON.parse(first.body)).toEqual({ ok: true, id: `sha256:${sha256Hex(batch)}` })
    expect(JSON.parse(retry.body)).toMatchObject({ ok: true, duplicate: true })
    expect(events).toHaveLength(1)
    expect(events[0]?.type).toBe('batch')
  })
})

describe('gitlab', () => {
  it('compares X-Gitlab-Token and keeps it out of the event', async () => {
    const { handler, events } = receiver(gitlab({ secret: ['old-token', 'new-token'] }))
    const headers = { 'x-gitlab-token': 'new-token', 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'ik-1' }
    const response = await handler.handle(post(headers, BODY))
    expect(response.status).toBe(200)
    expect(events[0]?.id).toBe('ik-1')
    expect(events[0]?.headers['x-gitlab-token']).toBeUndefined()
    expect(events[0]?.headers['x-gitlab-event']).toBe('Push Hook')
    for (const token of ['new-toke', 'new-tokenn', 'NEW-TOKEN', '']) {
      const refused = await handler.handle(
        post({ ...headers, 'x-gitlab-token': token, 'idempotency-key': 'ik-2' }, BODY),
      )
      expect(refused.status).toBe(401)
      expect(refused.body).not.toContain('new-token')
    }
  })

  it('signing token: Standard Webhooks v1 over id.timestamp.body with the whsec_ key base64-decoded', async () => {
    const key = Buffer.alloc(32, 7)
    const signingToken = `whsec_${key.toString('base64')}`
    const ts = Math.floor(NOW / 1000)
    const signature = `v1,${createHmac('sha256', key).update(`ik-9.${ts}.${BODY}`).digest('base64')}`
    const headers = {
      'webhook-id': 'ik-9',
      'webhook-timestamp': String(ts),
      'webhook-signature': signature,
      'idempotency-key': 'ik-9',
    }
    expect(await verify(gitlab({ signingToken }), post(headers, BODY))).toMatchObject({
      ok: true,
      id: 'ik-9',
      timestamp: ts * 1000,
    })
    // With both configured, both must be present.
    const both = gitlab({ secret: 'tok', signingToken })
    expectCode(await verify(both, post(headers, BODY)), 'missing_signature')
    expect((await verify(both, post({ ...headers, 'x-gitlab-token': 'tok' }, BODY))).ok).toBe(true)
    expectCode(
      await verify(both, post({ 'x-gitlab-token': 'tok', 'idempotency-key': 'ik-9' }, BODY)),
      'missing_signature',
    )
  })

  it('refuses a setup without any credential', () => {
    expect(() => gitlab({})).toThrow(/X-Gitlab-Token/)
  })
})

describe('meta', () => {
  const challengeUrl = (token: string, mode = 'subscribe') =>
    `https://example.test/hooks/meta?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`

  it('answers GET hub.challenge as text/plain when the verify token matches, 403 otherwise', async () => {
    const { handler, events } = receiver(meta({ secret: 'app-secret', verifyToken: ['old-vt', 'my verify token'] }))
    const response = await handler.fetch(new Request(challengeUrl('my verify token')))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe('1158201444')
    for (const url of [
      challengeUrl('my verify toke'),
      challengeUrl('my verify token', 'unsubscribe'),
      'https://example.test/hooks/meta',
    ]) {
      const refused = await handler.fetch(new Request(url))
      expect(refused.status).toBe(403)
      expect(await refused.text()).not.toContain('1158201444')
    }
    expect(events).toHaveLength(0)
  })

  it('refuses every verification GET when no verifyToken is configured', async () => {
    const { handler } = receiver(meta({ secret: 'app-secret' }))
    expect((await handler.fetch(new Request(challengeUrl('anything')))).status).toBe(403)
  })

  it('verifies the escaped-unicode bytes as sent', async () => {
    const body =
      '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"text":"\\u00e9\\ud83d\\ude00"}}]}]}'
    const result = await verify(
      meta({ secret: 'k' }),
      post({ 'x-hub-signature-256': `sha256=${hmacOf('sha256', 'k', body, 'hex')}` }, body),
    )
    expect(result).toMatchObject({ ok: true, type: 'whatsapp_business_account' })
  })
})

describe('dropbox', () => {
  it('echoes GET ?challenge= as text/plain with nosniff', async () => {
    const { handler } = receiver(dropbox({ secret: 'app' }))
    const response = await handler.fetch(new Request('https://example.test/dropbox?challenge=abc%20123%3Cb%3E'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe('abc 123<b>')
    expect((await handler.fetch(new Request('https://example.test/dropbox'))).status).toBe(400)
  })

  it('enqueues two identical notifications: each may be a separate change', async () => {
    const body = '{"list_folder":{"accounts":["dbid:1"]},"delta":{"users":[1]}}'
    const { handler, events } = receiver(dropbox({ secret: 'app' }))
    const request = () => post({ 'x-dropbox-signature': hmacOf('sha256', 'app', body, 'hex') }, body)
    expect((await handler.handle(request())).status).toBe(200)
    expect((await handler.handle(request())).status).toBe(200)
    expect(events).toHaveLength(2)
    expect(events[0]?.id).not.toBe(events[1]?.id)
  })
})

describe('microsoftGraph', () => {
  it('answers POST ?validationToken= with the decoded token as text/plain', async () => {
    const { handler, events } = receiver(microsoftGraph({ secret: 'state' }))
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 12'
    const response = await handler.fetch(
      new Request(`https://example.test/graph?validationToken=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe(token)
    expect(events).toHaveLength(0)
  })

  it('checks the clientState of every item', async () => {
    const provider = microsoftGraph({ secret: ['state-a', 'state-b'] })
    const body = (states: unknown[]) =>
      JSON.stringify({
        value: states.map((clientState, i) => ({ clientState, changeType: 'updated', resource: `r/${i}` })),
      })
    expect(await verify(provider, post({}, body(['state-a', 'state-b'])))).toMatchObject({ ok: true, type: 'updated' })
    expectCode(await verify(provider, post({}, body(['state-a', 'state-c']))), 'invalid_token')
    expectCode(await verify(provider, post({}, body(['state-a', 42]))), 'invalid_token')
    expectCode(await verify(provider, post({}, '{"value":[]}')), 'missing_signature')
    expectCode(await verify(provider, post({}, 'not json')), 'missing_signature')
  })
})

describe('xero Intent to Receive', () => {
  const itr = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"FMLHZNKCVK"}'

  it('answers a well-signed empty batch 200 with an empty body and a mis-signed one 401', async () => {
    const { handler, events } = receiver(xero({ secret: 'webhook-key' }))
    const good = await handler.handle(post({ 'x-xero-signature': hmacOf('sha256', 'webhook-key', itr, 'base64') }, itr))
    expect(good).toEqual({ status: 200, headers: {}, body: '' })
    const bad = await handler.handle(post({ 'x-xero-signature': hmacOf('sha256', 'other-key', itr, 'base64') }, itr))
    expect(bad.status).toBe(401)
    expect(events).toHaveLength(0)
  })
})

describe('woocommerce ping', () => {
  it('answers the unsigned and the signed form ping 200 without enqueueing', async () => {
    const { handler, events } = receiver(woocommerce({ secret: 'wc' }))
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    expect((await handler.handle(post(form, 'webhook_id=42'))).status).toBe(200)
    const signed = { ...form, 'x-wc-webhook-signature': hmacOf('sha256', 'wc', 'webhook_id=42', 'base64') }
    expect((await handler.handle(post(signed, 'webhook_id=42'))).status).toBe(200)
    // Anything else unsigned is refused.
    expect((await handler.handle(post(form, 'webhook_id=42&x=1'))).status).toBe(401)
    expect(events).toHaveLength(0)
  })

  it('gives two sends of one change the same id', async () => {
    const body = '{"id":99,"date_modified_gmt":"2026-11-27T10:00:00","status":"completed"}'
    const { handler, events } = receiver(woocommerce({ secret: 'wc' }))
    const send = (delivery: string) =>
      handler.handle(
        post(
          {
            'x-wc-webhook-signature': hmacOf('sha256', 'wc', body, 'base64'),
            'x-wc-webhook-topic': 'order.updated',
            'x-wc-webhook-delivery-id': delivery,
          },
          body,
        ),
      )
    expect(JSON.parse((await send('d1')).body)).toEqual({ ok: true, id: 'order.updated:99:2026-11-27T10:00:00' })
    expect(JSON.parse((await send('d2')).body)).toMatchObject({ duplicate: true })
    expect(events).toHaveLength(1)
  })
})

describe('notion verification', () => {
  it('answers the one-time verification_token POST 200 and hands the token over, never enqueued', async () => {
    const tokens: string[] = []
    const { handler, events } = receiver(notion({ onVerificationToken: (token) => void tokens.push(token) }))
    const response = await handler.handle(
      post({}, '{"verification_token":"secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl"}'),
    )
    expect(response.status).toBe(200)
    expect(tokens).toEqual(['secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl'])
    // Before the secret is configured, signed events are refused, not enqueued.
    const event = post({ 'x-notion-signature': `sha256=${hmacOf('sha256', 'k', BODY, 'hex')}` }, BODY)
    expect((await handler.handle(event)).status).toBe(401)
    expect(events).toHaveLength(0)
  })

  it('refuses a setup with neither secret nor onVerificationToken', () => {
    expect(() => notion({})).toThrow(/verification_token/)
  })
})

describe('linear', () => {
  const sign = (secret: string, body: string) => hmacOf('sha256', secret, body, 'hex')

  it('checks webhookTimestamp inside the signed body (±60 s) and ignores the Linear-Timestamp header', async () => {
    const provider = linear({ secret: 'lin' })
    const body = (ts: unknown) =>
      `{"action":"create","type":"Issue","data":{"id":"i1"},"webhookTimestamp":${JSON.stringify(ts)}}`
    const fresh = body(NOW - 59_000)
    const headers = (b: string) => ({
      'linear-signature': sign('lin', b),
      'linear-delivery': 'del-1',
      'linear-timestamp': String(NOW),
    })
    expect(await verify(provider, post(headers(fresh), fresh))).toMatchObject({
      ok: true,
      id: 'del-1',
      type: 'Issue',
      timestamp: NOW - 59_000,
    })
    expectCode(await verify(provider, post(headers(body(NOW - 61_000)), body(NOW - 61_000))), 'timestamp_too_old')
    expectCode(await verify(provider, post(headers(body(NOW + 61_000)), body(NOW + 61_000))), 'timestamp_in_future')
    expectCode(await verify(provider, post(headers(body(String(NOW))), body(String(NOW)))), 'malformed_timestamp')
    const none = '{"action":"create","type":"Issue"}'
    expectCode(await verify(provider, post(headers(none), none)), 'missing_timestamp')
  })
})

describe('mailgun', () => {
  const key = 'key-mailgun-signing'
  const envelope = (
    ts: number,
    token: string,
    signature: Record<string, string>,
    eventData = '{"id":"mg-1","event":"delivered"}',
  ) => `{"signature":${JSON.stringify({ timestamp: String(ts), token, ...signature })},"event-data":${eventData}}`

  it('verifies hex HMAC-SHA256 of timestamp + token, and parent-signature for subaccounts', async () => {
    const ts = Math.floor(NOW / 1000)
    const token = 'a'.repeat(50)
    const good = createHmac('sha256', key).update(`${ts}${token}`).digest('hex')
    const provider = mailgun({ secret: key })
    expect(await verify(provider, post({}, envelope(ts, token, { signature: good })))).toMatchObject({
      ok: true,
      id: 'mg-1',
      type: 'delivered',
      timestamp: ts * 1000,
    })
    expect(
      (await verify(provider, post({}, envelope(ts, token, { signature: '0'.repeat(64), 'parent-signature': good }))))
        .ok,
    ).toBe(true)
    expectCode(await verify(provider, post({}, envelope(ts, `${token}b`, { signature: good }))), 'invalid_signature')
    expectCode(
      await verify(
        provider,
        post(
          {},
          envelope(ts - 301, token, {
            signature: createHmac('sha256', key)
              .update(`${ts - 301}${token}`)
              .digest('hex'),
          }),
        ),
      ),
      'timestamp_too_old',
    )
    expectCode(await verify(provider, post({}, '{"event-data":{"id":"x"}}')), 'missing_signature')
  })

  it('accepts the legacy form-encoded post', async () => {
    const ts = Math.floor(NOW / 1000)
    const token = 'b'.repeat(50)
    const form = new URLSearchParams({
      timestamp: String(ts),
      token,
      signature: createHmac('sha256', key).update(`${ts}${token}`).digest('hex'),
      event: 'opened',
    }).toString()
    const result = await verify(
      mailgun({ secret: key }),
      post({ 'content-type': 'application/x-www-form-urlencoded' }, form),
    )
    expect(result).toMatchObject({ ok: true, type: 'opened' })
  })
})

describe('postmark', () => {
  it('compares Basic credentials and keeps Authorization out of the event', async () => {
    const { handler, events } = receiver(postmark({ secret: 'hooks:s3cret pass' }))
    const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
    const body = '{"RecordType":"Bounce","ID":42,"MessageID":"m-1"}'
    expect((await handler.handle(post({ authorization: basic('hooks:s3cret pass') }, body))).status).toBe(200)
    expect(events[0]?.type).toBe('Bounce')
    expect(events[0]?.id).toBe(`sha256:${sha256Hex(body)}`)
    expect(events[0]?.headers.authorization).toBeUndefined()
    for (const header of [basic('hooks:s3cret pas'), basic('hook:s3cret pass'), 'Bearer x', 'Basic !!!', '']) {
      expect((await handler.handle(post({ authorization: header }, '{"RecordType":"Open"}'))).status).toBe(401)
    }
  })

  it('refuses credentials without a colon at setup', () => {
    expect(() => postmark({ secret: 'just-a-password' })).toThrow(/user:password/)
  })
})

describe('the testing signers write what an independent node:crypto signer computes', () => {
  const body = '{"id":"s-1","text":"Zoë"}'
  const h = (request: WebhookRequest, name: string) => (request.headers as Record<string, string>)[name]
  const cases: [string, () => Promise<WebhookRequest>, string, string][] = [
    [
      'bitbucket',
      () => signBitbucketRequest({ secret: 'k', body }),
      'x-hub-signature',
      `sha256=${hmacOf('sha256', 'k', body, 'hex')}`,
    ],
    [
      'jira',
      () => signJiraRequest({ secret: 'k', body }),
      'x-hub-signature',
      `sha256=${hmacOf('sha256', 'k', body, 'hex')}`,
    ],
    [
      'meta',
      () => signMetaRequest({ secret: 'k', body }),
      'x-hub-signature-256',
      `sha256=${hmacOf('sha256', 'k', body, 'hex')}`,
    ],
    [
      'intercom',
      () => signIntercomRequest({ secret: 'k', body }),
      'x-hub-signature',
      `sha1=${hmacOf('sha1', 'k', body, 'hex')}`,
    ],
    [
      'notion',
      () => signNotionRequest({ secret: 'k', body }),
      'x-notion-signature',
      `sha256=${hmacOf('sha256', 'k', body, 'hex')}`,
    ],
    [
      'typeform',
      () => signTypeformRequest({ secret: 'k', body }),
      'typeform-signature',
      `sha256=${hmacOf('sha256', 'k', body, 'base64')}`,
    ],
    [
      'shopify',
      () => signShopifyRequest({ secret: 'k', body }),
      'x-shopify-hmac-sha256',
      hmacOf('sha256', 'k', body, 'base64'),
    ],
    [
      'woocommerce',
      () => signWooCommerceRequest({ secret: 'k', body }),
      'x-wc-webhook-signature',
      hmacOf('sha256', 'k', body, 'base64'),
    ],
    ['xero', () => signXeroRequest({ secret: 'k', body }), 'x-xero-signature', hmacOf('sha256', 'k', body, 'base64')],
    ['linear', () => signLinearRequest({ secret: 'k', body }), 'linear-signature', hmacOf('sha256', 'k', body, 'hex')],
    ['vercel', () => signVercelRequest({ secret: 'k', body }), 'x-vercel-signature', hmacOf('sha1', 'k', body, 'hex')],
    [
      'dropbox',
      () => signDropboxRequest({ secret: 'k', body }),
      'x-dropbox-signature',
      hmacOf('sha256', 'k', body, 'hex'),
    ],
    [
      'sentry',
      () => signSentryRequest({ secret: 'k', body }),
      'sentry-hook-signature',
      hmacOf('sha256', 'k', body, 'hex'),
    ],
    [
      'lemonSqueezy',
      () => signLemonSqueezyRequest({ secret: 'k', body }),
      'x-signature',
      hmacOf('sha256', 'k', body, 'hex'),
    ],
    ['segment', () => signSegmentRequest({ secret: 'k', body }), 'x-signature', hmacOf('sha1', 'k', body, 'hex')],
    ['gitlab', () => signGitLabRequest({ secret: 'tok', body }), 'x-gitlab-token', 'tok'],
    [
      'postmark',
      () => signPostmarkRequest({ secret: 'u:p', body }),
      'authorization',
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    ],
  ]
  for (const [name, sign, header, expected] of cases) {
    it(name, async () => {
      const request = await sign()
      expect(h(request, header)).toBe(expected)
      expect(request.body).toBe(body)
    })
  }

  it('mailgun', async () => {
    const request = await signMailgunRequest({ secret: 'k', body, now: NOW, token: 't'.repeat(50) })
    const parsed = JSON.parse(request.body as string)
    const ts = String(Math.floor(NOW / 1000))
    expect(parsed.signature).toEqual({
      timestamp: ts,
      token: 't'.repeat(50),
      signature: hmacOf('sha256', 'k', `${ts}${'t'.repeat(50)}`, 'hex'),
    })
    expect(parsed['event-data']).toEqual(JSON.parse(body))
  })

  it('gitlab signing token', async () => {
    const key = Buffer.alloc(32, 3)
    const request = await signGitLabRequest({
      signingToken: `whsec_${key.toString('base64')}`,
      body,
      id: 'ik',
      now: NOW,
    })
    const ts = Math.floor(NOW / 1000)
    expect(h(request, 'webhook-signature')).toBe(
      `v1,${createHmac('sha256', key).update(`ik.${ts}.${body}`).digest('base64')}`,
    )
  })

  it('microsoftGraph', async () => {
    const request = await signMicrosoftGraphRequest({
      secret: 'cs',
      body: [{ changeType: 'created' }, { clientState: 'own' }],
    })
    expect(JSON.parse(request.body as string)).toEqual({
      value: [{ clientState: 'cs', changeType: 'created' }, { clientState: 'own' }],
    })
  })
})
