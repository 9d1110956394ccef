import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { github, hmac, standardWebhooks, stripe } from '../../src/providers/index.js'
import {
  signGitHubRequest,
  signHmacRequest,
  signStandardWebhooksRequest,
  signStripeRequest,
} from '../../src/testing/index.js'
import { NOW, testVerifier } from './verifier-suite.js'

const SW_SECRETS = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1zZWNyZXQtZm9yLXJvdGF0aW9uLTEyMzQ='] as const

testVerifier({
  name: 'github',
  secrets: ["It's a Secret to Everybody", 'another secret'],
  create: (secrets) => github({ secret: secrets }),
  sign: ({ secret, body }) => signGitHubRequest({ secret, body, id: 'delivery-1', event: 'push' }),
  signatureHeaders: ['x-hub-signature-256'],
  expectedId: 'delivery-1',
  expectedType: 'push',
})

testVerifier({
  name: 'stripe',
  secrets: ['whsec_current', 'whsec_previous'],
  create: (secrets) => stripe({ secret: secrets }),
  sign: ({ secret, body, now }) => signStripeRequest({ secret, body, now }),
  signatureHeaders: ['stripe-signature'],
  toleranceMs: 300_000,
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'standardWebhooks',
  secrets: SW_SECRETS,
  create: (secrets) => standardWebhooks({ secret: secrets }),
  sign: ({ secret, body, now }) => signStandardWebhooksRequest({ secret, body, now, id: 'msg_suite' }),
  signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  toleranceMs: 300_000,
  expectedId: 'msg_suite',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'hmac (generic, base64, sha512)',
  secrets: ['one', 'two'],
  create: (secrets) =>
    hmac({
      name: 'acme',
      header: 'X-Acme-Signature',
      secret: secrets,
      algorithm: 'sha512',
      encoding: 'base64',
      idHeader: 'x-acme-id',
    }),
  sign: ({ secret, body }) =>
    signHmacRequest({
      secret,
      body,
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      headers: { 'x-acme-id': 'a-1' },
    }),
  signatureHeaders: ['x-acme-signature'],
  expectedId: 'a-1',
})

// Official vectors (../shared/reference/providers.md §Test vectors) and independent node:crypto signers.
describe('known answers', () => {
  it('GitHub docs vector', async () => {
    const result = await github({ secret: "It's a Secret to Everybody" }).verify(
      {
        method: 'POST',
        url: 'https://example.test/',
        headers: {
          'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
          'X-GitHub-Delivery': 'd-1',
          'X-GitHub-Event': 'ping',
          'content-type': 'text/plain',
        },
        body: 'Hello, World!',
      },
      { now: NOW },
    )
    // The body is not JSON, so a good signature ends as invalid_body (400), never as a 401.
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('invalid_body')
    const forged = await github({ secret: "It's a Secret to Everybody" }).verify(
      {
        method: 'POST',
        url: 'https://example.test/',
        headers: { 'X-Hub-Signature-256': 'sha256=857107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
        body: 'Hello, World!',
      },
      { now: NOW },
    )
    expect(forged.ok).toBe(false)
    if (!forged.ok) expect(forged.error.code).toBe('invalid_signature')
  })

  it('Standard Webhooks reference vector', async () => {
    const result = await standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).verify(
      {
        method: 'POST',
        url: 'https://example.test/',
        headers: {
          'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
          'webhook-timestamp': '1614265330',
          'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        },
        body: '{"test": 2432232314}',
      },
      { now: 1614265330 * 1000 },
    )
    expect(result).toMatchObject({ ok: true, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', payload: { test: 2432232314 } })
  })

  it('Stripe header built by an independent node:crypto signer, with several v1 and a v0', async () => {
    const body = '{"id":"evt_kat","type":"charge.succeeded"}'
    const t = Math.floor(NOW / 1000)
    const good = createHmac('sha256', 'whsec_kat').update(`${t}.${body}`).digest('hex')
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${good},v0=${'f'.repeat(64)}`
    const result = await stripe({ secret: 'whsec_kat' }).verify(
      { method: 'POST', url: 'https://example.test/', headers: { 'stripe-signature': header }, body },
      { now: NOW },
    )
    expect(result).toMatchObject({ ok: true, id: 'evt_kat', type: 'charge.succeeded', timestamp: t * 1000 })
  })
})

describe('hmac() setup', () => {
  it('refuses a missing header name or an unknown algorithm or encoding at factory time', () => {
    const setup = (options: object) => () => hmac({ secret: 's', header: 'x-sig', ...options } as never)
    for (const bad of [{ header: undefined }, { header: ' ' }, { algorithm: 'SHA256' }, { encoding: 'base32' }]) {
      expect(setup(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'invalid_config' }))
    }
    expect(setup({ algorithm: 'sha1', encoding: 'base64url' })).not.toThrow()
  })
})
