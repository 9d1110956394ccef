// Family D: signature and timestamp in separate headers over a provider base string (Slack,
// Zoom, Twitch) and Contentful's canonical request.
import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { createWebhookHandler } from '../../src/index.js'
import { contentful, slack, twitch, zoom } from '../../src/providers/index.js'
import {
  recordingStore,
  signContentfulRequest,
  signSlackRequest,
  signTwitchRequest,
  signZoomRequest,
  toFetchRequest,
} from '../../src/testing/index.js'
import type { Provider, VerifyResult, WebhookRequest } from '../../src/types.js'
import { NOW, testVerifier } from './verifier-suite.js'

const NOW_S = Math.floor(NOW / 1000)
const CONTENTFUL_SECRETS = [
  'A'.repeat(32) + 'b'.repeat(32),
  `${'0123456789abcdef'.repeat(3)}-_+/=${'x'.repeat(11)}`,
] as const

function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex')
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function expectCode(result: VerifyResult, code: string): void {
  expect(result.ok).toBe(false)
  if (!result.ok) expect(result.error.code).toBe(code)
}

/** A handler over a recording store whose `enqueue` is a spy, so a handshake can be shown to touch neither. */
function harness(provider: Provider, now = NOW) {
  const store = recordingStore()
  const enqueue = vi.fn()
  const handler = createWebhookHandler({ provider, store, enqueue, now: () => now, onWarning: () => {} })
  return { handler, store, enqueue }
}

testVerifier({
  name: 'slack (Events API)',
  secrets: ['slack-current-secret', 'slack-previous-secret'],
  create: (secrets) => slack({ secret: secrets }),
  sign: ({ secret, body, now }) => signSlackRequest({ secret, body, now }),
  signatureHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
  body: '{"type": "event_callback", "event_id": "Ev01", "event": {"type": "app_mention", "text": "Zoë ☕ 1"}}',
  toleranceMs: 300_000,
  expectedId: 'Ev01',
  expectedType: 'app_mention',
})

testVerifier({
  name: 'slack (slash command form)',
  secrets: ['slack-current-secret', 'slack-previous-secret'],
  create: (secrets) => slack({ secret: secrets }),
  sign: ({ secret, body, now }) =>
    signSlackRequest({ secret, body: '', form: { command: '/deploy', text: body }, now }),
  signatureHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
  body: 'prod 1 Zoë ☕',
  toleranceMs: 300_000,
  expectedType: '/deploy',
})

testVerifier({
  name: 'zoom',
  secrets: ['zoom-secret-token-1', 'zoom-secret-token-2'],
  create: (secrets) => zoom({ secret: secrets }),
  sign: ({ secret, body, now }) => signZoomRequest({ secret, body, now }),
  signatureHeaders: ['x-zm-signature', 'x-zm-request-timestamp'],
  body: '{"event": "meeting.started", "event_ts": 1, "payload": {"object": {"topic": "Zoë ☕"}}}',
  toleranceMs: 300_000,
  expectedType: 'meeting.started',
})

testVerifier({
  name: 'twitch',
  secrets: ['twitch-secret-current', 'twitch-secret-previous'],
  create: (secrets) => twitch({ secret: secrets }),
  sign: ({ secret, body, now }) =>
    signTwitchRequest({ secret, body, now, id: 'msg-1', subscriptionType: 'channel.ban' }),
  signatureHeaders: [
    'twitch-eventsub-message-signature',
    'twitch-eventsub-message-timestamp',
    'twitch-eventsub-message-id',
  ],
  toleranceMs: 600_000,
  // The type is the signed body's, not the unsigned Twitch-Eventsub-Subscription-Type header.
  body: '{"subscription": {"type": "channel.follow", "status": "enabled"}, "event": {"user_id": "1", "user_name": "Zoë"}}',
  expectedId: 'msg-1',
  expectedType: 'channel.follow',
})

testVerifier({
  name: 'contentful',
  secrets: CONTENTFUL_SECRETS,
  create: (secrets) => contentful({ secret: secrets }),
  sign: ({ secret, body, now }) =>
    signContentfulRequest({
      secret,
      body,
      now,
      url: 'https://example.test/hooks/cf?space=main&env=a b',
      idempotencyKey: 'idem-cf',
    }),
  signatureHeaders: ['x-contentful-signature', 'x-contentful-timestamp', 'x-contentful-signed-headers'],
  toleranceMs: 30_000,
  expectedId: 'idem-cf',
  expectedType: 'ContentManagement.Entry.publish',
})

describe('Slack', () => {
  // Slack's "Verifying requests from Slack" worked example (shared/reference/providers.md §3).
  const secret = '8f742231b10e8888abcd99yyyzzz85a5'
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
  const officialRequest: WebhookRequest = {
    method: 'POST',
    url: 'https://example.test/slack/commands',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    },
    body,
  }

  it('accepts the official vector: a slash command, its fields as payload, a fallback id', async () => {
    const result = await slack({ secret }).verify(officialRequest, { now: 1531420618_000 + 60_000 })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.type).toBe('/webhook-collect')
    expect(result.payload).toMatchObject({ command: '/webhook-collect', team_id: 'T1DC2JH3J', text: '' })
    expect(result.id).toBe(`sha256:${sha256Hex(`v0:1531420618:${body}`)}`)
    expectCode(
      await slack({ secret: `${secret}0` }).verify(officialRequest, { now: 1531420618_000 }),
      'invalid_signature',
    )
    expectCode(await slack({ secret }).verify(officialRequest, { now: 1531420618_000 + 301_000 }), 'timestamp_too_old')
  })

  it('interactivity: the form `payload` field is parsed as JSON, its `type` is the type', async () => {
    const interaction = { type: 'block_actions', trigger_id: 't1', actions: [{ action_id: 'approve' }] }
    const request = await signSlackRequest({
      secret,
      body: '',
      form: { payload: JSON.stringify(interaction) },
      now: NOW,
    })
    const result = await slack({ secret }).verify(request, { now: NOW })
    expect(result).toMatchObject({ ok: true, type: 'block_actions', payload: interaction })
  })

  it('an independent node:crypto signature of an Events API callback is accepted', async () => {
    const event = '{"type":"event_callback","event_id":"Ev9","event":{"type":"reaction_added"}}'
    const request: WebhookRequest = {
      method: 'POST',
      url: 'https://example.test/slack/events',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(NOW_S),
        'x-slack-signature': `v0=${hmacHex('s3cret', `v0:${NOW_S}:${event}`)}`,
        'x-slack-retry-num': '1',
      },
      body: event,
    }
    expect(await slack({ secret: 's3cret' }).verify(request, { now: NOW })).toMatchObject({
      ok: true,
      id: 'Ev9',
      type: 'reaction_added',
    })
  })

  it('url_verification is answered after the signature check, byte for byte as Bolt, without store or queue', async () => {
    const body =
      '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
    const { handler, store, enqueue } = harness(slack({ secret }))
    const response = await handler.fetch(toFetchRequest(await signSlackRequest({ secret, body, now: NOW })))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.text()).toBe('{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}')
    expect(store.calls).toEqual([])
    expect(enqueue).not.toHaveBeenCalled()
    const unsigned = await handler.handle({
      method: 'POST',
      url: 'https://example.test/',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(unsigned.status).toBe(401)
    expect(unsigned.body).not.toContain('3eZbrw1a')
  })

  it('ssl_check=1 gets an empty 200 without a signature, and nothing smuggled with it is enqueued', async () => {
    const { handler, store, enqueue } = harness(slack({ secret }))
    const response = await handler.handle({
      method: 'POST',
      url: 'https://example.test/slack/commands',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=abc&command=%2Fdeploy',
    })
    expect(response).toEqual({ status: 200, headers: {}, body: '' })
    expect(store.calls).toEqual([])
    expect(enqueue).not.toHaveBeenCalled()
    const notACheck = await handler.handle({
      method: 'POST',
      url: 'https://example.test/slack/commands',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=0&command=%2Fdeploy',
    })
    expect(notACheck.status).toBe(401)
  })

  it('a retried event (X-Slack-Retry-Num) is a duplicate of the first, and keeps the header', async () => {
    const body = '{"type":"event_callback","event_id":"EvRetry","event":{"type":"message"}}'
    const { handler, enqueue } = harness(slack({ secret }))
    expect((await handler.handle(await signSlackRequest({ secret, body, now: NOW }))).status).toBe(200)
    const retry = await handler.handle(await signSlackRequest({ secret, body, now: NOW + 60_000, retryNum: 1 }))
    expect(JSON.parse(retry.body)).toMatchObject({ duplicate: true })
    expect(enqueue).toHaveBeenCalledTimes(1)
    const first = await handler.handle(
      await signSlackRequest({ secret, body: body.replace('EvRetry', 'EvR2'), now: NOW, retryNum: 2 }),
    )
    expect(first.status).toBe(200)
    expect(enqueue.mock.calls[1]?.[0].headers['x-slack-retry-num']).toBe('2')
  })

  it('@slack/bolt: it accepts our signature, we accept a signature it accepts, a forgery fails both', async () => {
    const { verifySlackRequest, isValidSlackRequest } = await import('@slack/bolt')
    const now = Date.now()
    const ours = await signSlackRequest({
      secret,
      body: '{"type":"event_callback","event_id":"E1","event":{"type":"x"}}',
      now,
    })
    const h = ours.headers as Record<string, string>
    const options = (signature: string) => ({
      signingSecret: secret,
      body: ours.body as string,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']) },
      nowMilliseconds: now,
    })
    expect(() => verifySlackRequest(options(h['x-slack-signature'] as string))).not.toThrow()
    // Bolt has no signer; its own example (the official vector) passes its check and ours.
    expect(
      isValidSlackRequest({
        signingSecret: secret,
        body,
        headers: {
          'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
          'x-slack-request-timestamp': 1531420618,
        },
        nowMilliseconds: 1531420618_000,
      }),
    ).toBe(true)
    const forged = `v0=${hmacHex('wrong', `v0:${h['x-slack-request-timestamp']}:${ours.body}`)}`
    expect(isValidSlackRequest(options(forged))).toBe(false)
    expectCode(
      await slack({ secret }).verify({ ...ours, headers: { ...h, 'x-slack-signature': forged } }, { now }),
      'invalid_signature',
    )
    // Difference: Bolt accepts a timestamp from the future; we refuse one past the tolerance.
    const future = String(Math.floor(now / 1000) + 3600)
    const futureSig = `v0=${hmacHex(secret, `v0:${future}:${ours.body}`)}`
    expect(
      isValidSlackRequest({
        ...options(futureSig),
        headers: { 'x-slack-signature': futureSig, 'x-slack-request-timestamp': Number(future) },
      }),
    ).toBe(true)
    const futureRequest = {
      ...ours,
      headers: { ...h, 'x-slack-signature': futureSig, 'x-slack-request-timestamp': future },
    }
    expectCode(await slack({ secret }).verify(futureRequest, { now }), 'timestamp_in_future')
  })
})

describe('Zoom', () => {
  it('an independent node:crypto signature is accepted; the id is the SHA-256 of the body', async () => {
    const body = '{"event":"meeting.ended","event_ts":1700000000000,"payload":{"account_id":"a1","object":{"id":"85"}}}'
    const request: WebhookRequest = {
      method: 'POST',
      url: 'https://example.test/zoom',
      headers: {
        'x-zm-request-timestamp': String(NOW_S),
        'x-zm-signature': `v0=${hmacHex('tok', `v0:${NOW_S}:${body}`)}`,
      },
      body,
    }
    const result = await zoom({ secret: 'tok' }).verify(request, { now: NOW })
    expect(result).toMatchObject({
      ok: true,
      type: 'meeting.ended',
      id: `sha256:${sha256Hex(body)}`,
      timestamp: NOW_S * 1000,
    })
    // A retry re-sends the body with a new timestamp and signature: same id.
    const later = NOW_S + 300
    const retry = {
      ...request,
      headers: {
        'x-zm-request-timestamp': String(later),
        'x-zm-signature': `v0=${hmacHex('tok', `v0:${later}:${body}`)}`,
      },
    }
    const again = await zoom({ secret: 'tok' }).verify(retry, { now: later * 1000 })
    expect(again.ok && again.id).toBe(`sha256:${sha256Hex(body)}`)
    // A millisecond timestamp header is read as milliseconds.
    const ms = String(NOW)
    const msRequest = {
      ...request,
      headers: { 'x-zm-request-timestamp': ms, 'x-zm-signature': `v0=${hmacHex('tok', `v0:${ms}:${body}`)}` },
    }
    expect(await zoom({ secret: 'tok' }).verify(msRequest, { now: NOW })).toMatchObject({ ok: true, timestamp: NOW })
  })

  it('endpoint.url_validation: verified, then plainToken + encryptedToken from the secret that signed it', async () => {
    const body =
      '{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}'
    const { handler, store, enqueue } = harness(zoom({ secret: ['old-token', 'new-token'] }))
    const response = await handler.fetch(toFetchRequest(await signZoomRequest({ secret: 'new-token', body, now: NOW })))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const expected = `{"plainToken":"qgg8vlvZRS6UYooatFL8Aw","encryptedToken":"${hmacHex('new-token', 'qgg8vlvZRS6UYooatFL8Aw')}"}`
    expect(await response.text()).toBe(expected)
    expect(store.calls).toEqual([])
    expect(enqueue).not.toHaveBeenCalled()
    const forged = await handler.handle(await signZoomRequest({ secret: 'attacker', body, now: NOW }))
    expect(forged.status).toBe(401)
    expect(forged.body).not.toContain('encryptedToken')
  })
})

describe('Twitch', () => {
  it('an independent signature over id + RFC 3339 nanosecond timestamp + body is accepted', async () => {
    const body = '{"subscription":{"type":"stream.online"},"event":{"broadcaster_user_id":"1337"}}'
    const ts = '2026-11-27T11:59:30.123456789Z'
    const request: WebhookRequest = {
      method: 'POST',
      url: 'https://example.test/twitch',
      headers: {
        'twitch-eventsub-message-id': 'befa7b53-d79d-478f-86b9-120f112b044e',
        'twitch-eventsub-message-timestamp': ts,
        'twitch-eventsub-message-signature': `sha256=${hmacHex('s3cre7s3cre7', `befa7b53-d79d-478f-86b9-120f112b044e${ts}${body}`)}`,
        'twitch-eventsub-message-type': 'notification',
        'twitch-eventsub-subscription-type': 'stream.online',
      },
      body,
    }
    const result = await twitch({ secret: 's3cre7s3cre7' }).verify(request, { now: NOW })
    expect(result).toMatchObject({
      ok: true,
      id: 'befa7b53-d79d-478f-86b9-120f112b044e',
      type: 'stream.online',
      timestamp: Date.UTC(2026, 10, 27, 11, 59, 30, 123),
    })
    // Eleven minutes later it is a replay.
    expectCode(
      await twitch({ secret: 's3cre7s3cre7' }).verify(request, { now: NOW + 11 * 60_000 }),
      'timestamp_too_old',
    )
    // The id is signed: changing it breaks the signature.
    const otherId = { ...request, headers: { ...request.headers, 'twitch-eventsub-message-id': 'another' } }
    expectCode(await twitch({ secret: 's3cre7s3cre7' }).verify(otherId, { now: NOW }), 'invalid_signature')
  })

  it('webhook_callback_verification: verified, then the raw challenge as text/plain, without store or queue', async () => {
    const body =
      '{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387","type":"channel.follow","version":"2","status":"webhook_callback_verification_pending"}}'
    const { handler, store, enqueue } = harness(twitch({ secret: 'twitch-secret-1' }))
    const request = await signTwitchRequest({
      secret: 'twitch-secret-1',
      body,
      now: NOW,
      messageType: 'webhook_callback_verification',
    })
    const response = await handler.fetch(toFetchRequest(request))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe('pogchamp-kappa-360noscope-vohiyo')
    expect(store.calls).toEqual([])
    expect(enqueue).not.toHaveBeenCalled()
    const forged = await signTwitchRequest({
      secret: 'not-the-secret',
      body,
      now: NOW,
      messageType: 'webhook_callback_verification',
    })
    expect((await handler.handle(forged)).status).toBe(401)
  })

  it('a revocation is accepted and enqueued with type "revocation"', async () => {
    const body = '{"subscription":{"id":"f1c2a387","status":"authorization_revoked","type":"channel.follow"}}'
    const { handler, enqueue } = harness(twitch({ secret: 'twitch-secret-1' }))
    const response = await handler.handle(
      await signTwitchRequest({ secret: 'twitch-secret-1', body, now: NOW, messageType: 'revocation', id: 'rev-1' }),
    )
    expect(response.status).toBe(200)
    expect(enqueue).toHaveBeenCalledTimes(1)
    expect(enqueue.mock.calls[0]?.[0]).toMatchObject({ id: 'rev-1', type: 'revocation', provider: 'twitch' })
  })
})

describe('Contentful', () => {
  const secret = CONTENTFUL_SECRETS[0]

  it('an independent canonical string (query escaped, then encodeURI: "=" becomes %253D) is accepted', async () => {
    const body = '{"sys":{"id":"entry1","version":3}}'
    const ts = String(NOW - 1000)
    const signedHeaders = 'x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic'
    const canonical = [
      'POST',
      // '%20' is escaped to '%2520', then encodeURI turns each '%' into '%25' again.
      '/hooks/cf?space%253Dmain%2526q%253Da%252520b',
      `x-contentful-signed-headers:${signedHeaders};x-contentful-timestamp:${ts};x-contentful-topic:ContentManagement.Entry.publish`,
      body,
    ].join('\n')
    const request: WebhookRequest = {
      method: 'POST',
      url: 'https://example.test/hooks/cf?space=main&q=a%20b#fragment',
      headers: {
        'x-contentful-topic': ' ContentManagement.Entry.publish ',
        'x-contentful-timestamp': ts,
        'x-contentful-signed-headers': signedHeaders,
        'x-contentful-signature': hmacHex(secret, canonical),
        'x-contentful-webhook-name': 'unsigned header, ignored',
      },
      body,
    }
    const result = await contentful({ secret }).verify(request, { now: NOW })
    expect(result).toMatchObject({ ok: true, type: 'ContentManagement.Entry.publish', id: `sha256:${sha256Hex(body)}` })
    // A signed header changed in transit breaks it; an unsigned one does not matter.
    const changed = {
      ...request,
      headers: { ...request.headers, 'x-contentful-topic': 'ContentManagement.Entry.delete' },
    }
    expectCode(await contentful({ secret }).verify(changed, { now: NOW }), 'invalid_signature')
    // So does another path.
    expectCode(
      await contentful({ secret }).verify({ ...request, url: 'https://example.test/hooks/other' }, { now: NOW }),
      'invalid_signature',
    )
    expect(() => contentful({ secret: 'too short' })).toThrow(/64-character/)
  })

  it('@contentful/node-apps-toolkit: it signs and we accept, we sign and it accepts, for awkward paths', async () => {
    const toolkit = await import('@contentful/node-apps-toolkit')
    const body = '{"sys":{"id":"e1","type":"Entry"},"fields":{"title":{"en-US":"Zoë ☕"}}}'
    const now = Date.now()
    for (const path of ['/webhooks', '/hooks/cf?space=main&env=a b', '/hooks/zoë?q=ä&x=%41', '/a/b?c=d?e', '/p%20q']) {
      const sdkHeaders = toolkit.signRequest(
        secret,
        {
          method: 'PUT',
          path,
          headers: { 'X-Contentful-Topic': 'ContentManagement.Entry.save', 'x-extra': ' v ' },
          body,
        },
        now,
      )
      const request: WebhookRequest = {
        method: 'PUT',
        url: `https://example.test${path}`,
        headers: { 'x-contentful-topic': 'ContentManagement.Entry.save', 'x-extra': 'v', ...sdkHeaders },
        body,
      }
      const provider = contentful({ secret, methods: ['PUT'] })
      expect((await provider.verify(request, { now })).ok, path).toBe(true)
      expectCode(await contentful({ secret: CONTENTFUL_SECRETS[1] }).verify(request, { now }), 'invalid_signature')

      const ours = await signContentfulRequest({
        secret,
        body,
        now,
        method: 'POST',
        url: `https://example.test${path}`,
      })
      const verified = toolkit.verifyRequest(secret, {
        method: 'POST',
        path,
        headers: ours.headers as Record<string, string>,
        body,
      })
      expect(verified, path).toBe(true)
      const tampered = {
        ...(ours.headers as Record<string, string>),
        'x-contentful-topic': 'ContentManagement.Entry.delete',
      }
      expect(toolkit.verifyRequest(secret, { method: 'POST', path, headers: tampered, body })).toBe(false)
      expectCode(await contentful({ secret }).verify({ ...ours, headers: tampered }, { now }), 'invalid_signature')
    }
  })

  it('the toolkit TTL is past-only; ours refuses a future timestamp too', async () => {
    const toolkit = await import('@contentful/node-apps-toolkit')
    const now = Date.now()
    const future = toolkit.signRequest(secret, { method: 'POST', path: '/w', body: '{}' }, now + 120_000)
    expect(toolkit.verifyRequest(secret, { method: 'POST', path: '/w', headers: future, body: '{}' })).toBe(true)
    expectCode(
      await contentful({ secret }).verify(
        { method: 'POST', url: 'https://example.test/w', headers: future, body: '{}' },
        { now },
      ),
      'timestamp_in_future',
    )
  })
})

describe('handshakes over real HTTP (node:http on 127.0.0.1, port 0)', () => {
  it('Twitch challenge, Slack url_verification and Zoom url_validation arrive byte for byte', async () => {
    const { createServer } = await import('node:http')
    const { toNodeListener } = await import('../../src/adapters/node.js')
    const providers: Record<string, Provider> = {
      '/twitch': twitch({ secret: 'twitch-secret-1' }),
      '/slack': slack({ secret: 'slack-secret' }),
      '/zoom': zoom({ secret: 'zoom-token' }),
    }
    const listeners = Object.fromEntries(
      Object.entries(providers).map(([path, provider]) => [
        path,
        toNodeListener(harness(provider, Date.now()).handler),
      ]),
    )
    const server = createServer((req, res) => listeners[req.url ?? '']?.(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const send = async (path: string, signed: WebhookRequest) => {
      const response = await fetch(toFetchRequest(signed, `http://127.0.0.1:${port}${path}`))
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
    }
    try {
      const now = Date.now()
      const challenge = 'a-challenge-with-üñíçødé'
      const twitchBody = JSON.stringify({ challenge, subscription: { type: 'channel.follow' } })
      expect(
        await send(
          '/twitch',
          await signTwitchRequest({
            secret: 'twitch-secret-1',
            body: twitchBody,
            now,
            messageType: 'webhook_callback_verification',
          }),
        ),
      ).toEqual({ status: 200, type: 'text/plain', body: challenge })
      const slackBody = '{"token":"t","challenge":"c-123","type":"url_verification"}'
      expect(await send('/slack', await signSlackRequest({ secret: 'slack-secret', body: slackBody, now }))).toEqual({
        status: 200,
        type: 'application/json',
        body: '{"challenge":"c-123"}',
      })
      const zoomBody = '{"event":"endpoint.url_validation","payload":{"plainToken":"p-1"}}'
      expect(await send('/zoom', await signZoomRequest({ secret: 'zoom-token', body: zoomBody, now }))).toEqual({
        status: 200,
        type: 'application/json',
        body: `{"plainToken":"p-1","encryptedToken":"${hmacHex('zoom-token', 'p-1')}"}`,
      })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
