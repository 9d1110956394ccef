import { describe, expect, it } from 'vitest'
import { github, shopify, slack, standardWebhooks, stripe } from '../../src/providers/index.js'
import { signGitHubRequest, signSlackRequest, signStripeRequest } from '../../src/testing/index.js'
import { signHmac } from '../../src/verifiers/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

async function refusal(
  provider: ReturnType<typeof stripe>,
  request: Parameters<ReturnType<typeof stripe>['verify']>[0],
) {
  const result = await provider.verify(request, { now: NOW })
  if (result.ok) throw new Error('expected a refusal')
  return result.error
}

describe('messages that say what to fix', () => {
  it('a wrong signature names both usual causes: the wrong secret, or a body that is not raw', async () => {
    const request = await signStripeRequest({ secret: 'whsec_other', now: NOW, body: { id: 'evt_1', type: 't' } })
    const error = await refusal(stripe({ secret: 'whsec_configured' }), request)
    expect(error.code).toBe('invalid_signature')
    expect(error.message).toMatch(/^\[webhook-inbox\] \[stripe\] /)
    expect(error.message).toContain('the secret is not the one this endpoint is signed with')
    expect(error.message).toContain('the body is not the raw bytes received')
    expect(error.message).not.toContain('whsec_configured')
    expect(error.message).not.toContain('whsec_other')
  })

  it('Stripe: an API key passed as the secret is named as such; a secret without whsec_ is pointed out', async () => {
    const request = await signStripeRequest({ secret: 'whsec_real', now: NOW, body: { id: 'evt_2', type: 't' } })
    const apiKey = await refusal(stripe({ secret: 'sk_live_51AbCdEfGhIjKlMnOp' }), request)
    expect(apiKey.message).toContain('starts with sk_live_: that is a Stripe secret API key')
    expect(apiKey.message).toContain('whsec_')
    expect(apiKey.message).not.toContain('51AbCdEfGhIjKlMnOp')
    const bare = await refusal(stripe({ secret: 'not-a-stripe-secret' }), request)
    expect(bare.message).toContain('start with whsec_, and the configured one does not')
    const right = await refusal(stripe({ secret: 'whsec_wrong_but_well_formed' }), request)
    expect(right.message).not.toContain('start with whsec_')
  })

  it('Slack: a bot token passed as the signing secret is named', async () => {
    const request = await signSlackRequest({
      secret: 'signing-secret',
      now: NOW,
      body: { type: 'event_callback', event_id: 'Ev1' },
    })
    const error = await refusal(slack({ secret: 'xoxb-1234-5678-abcdef' }), request)
    expect(error.message).toContain('starts with xoxb-: that is a Slack OAuth token')
    expect(error.message).not.toContain('1234-5678')
  })

  it('missing_signature names the header it looked for', async () => {
    const unsigned = {
      method: 'POST',
      url: 'https://example.test/',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }
    const gh = await refusal(github({ secret: 's' }), unsigned)
    expect(gh.code).toBe('missing_signature')
    expect(gh.message).toContain('X-Hub-Signature-256')
    expect((await refusal(shopify({ secret: 's' }), unsigned)).message).toContain('X-Shopify-Hmac-Sha256')
    expect((await refusal(stripe({ secret: 'whsec_s' }), unsigned)).message).toContain('Stripe-Signature')
    expect(
      (await refusal(standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), unsigned)).message,
    ).toContain('webhook-signature')
  })

  it('GitHub: a delivery with only the legacy SHA-1 header says so', async () => {
    const request = await signGitHubRequest({ secret: 's', id: 'd-1', event: 'push', body: { ref: 'x' } })
    const headers = { ...(request.headers as Record<string, string>) }
    delete headers['x-hub-signature-256']
    headers['x-hub-signature'] =
      `sha1=${await signHmac({ payload: request.body as string, secret: 's', algorithm: 'sha1' })}`
    const error = await refusal(github({ secret: 's' }), { ...request, headers })
    expect(error.code).toBe('missing_signature')
    expect(error.message).toContain('only the legacy X-Hub-Signature (HMAC-SHA1) header came')
  })
})
