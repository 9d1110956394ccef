import { describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore } from '../../src/index.js'
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

  /** The first log line and the answer of a handler refusing `request` with `provider`. */
  async function loggedRefusal(
    provider: ReturnType<typeof stripe>,
    request: Parameters<ReturnType<typeof stripe>['verify']>[0],
  ) {
    const lines: string[] = []
    const handler = createWebhookHandler({
      provider,
      store: memoryStore({ now: () => NOW }),
      now: () => NOW,
      enqueue: async () => {},
      logger: { warn: (line: string) => void lines.push(line), error: (line: string) => void lines.push(line) },
    })
    const answer = await handler.handle(request)
    expect(answer.status).toBe(401)
    return { line: lines[0] ?? '', body: answer.body }
  }

  it('Stripe: an API key passed as the secret is named in the log, never in the answer', async () => {
    const request = await signStripeRequest({ secret: 'whsec_real', now: NOW, body: { id: 'evt_2', type: 't' } })
    const apiKey = await loggedRefusal(stripe({ secret: 'sk_live_51AbCdEfGhIjKlMnOp' }), request)
    expect(apiKey.line).toContain('starts with sk_live_: that is a Stripe secret API key')
    expect(apiKey.line).toContain('whsec_')
    expect(apiKey.line).not.toContain('51AbCdEfGhIjKlMnOp')
    expect(apiKey.body).not.toContain('sk_live_')
    expect(apiKey.body).toContain('invalid_signature')
    const bare = await loggedRefusal(stripe({ secret: 'not-a-stripe-secret' }), request)
    expect(bare.line).toContain('start with whsec_, and the configured one does not')
    expect(bare.body).not.toContain('whsec_')
    const right = await loggedRefusal(stripe({ secret: 'whsec_wrong_but_well_formed' }), request)
    expect(right.line).toContain('invalid_signature')
    expect(right.line).not.toContain('start with whsec_')
  })

  it('Slack: a bot token passed as the signing secret is named in the log', async () => {
    const request = await signSlackRequest({
      secret: 'signing-secret',
      now: NOW,
      body: { type: 'event_callback', event_id: 'Ev1' },
    })
    const { line, body } = await loggedRefusal(slack({ secret: 'xoxb-1234-5678-abcdef' }), request)
    expect(line).toContain('starts with xoxb-: that is a Slack OAuth token')
    expect(line).not.toContain('1234-5678')
    expect(body).not.toContain('xoxb')
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
