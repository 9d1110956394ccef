// Cross-check against GitHub's own @octokit/webhooks-methods, both ways. The SDK signs no
// timestamp and neither does GitHub, so there is no tolerance difference to record.
import { describe, expect, it } from 'vitest'
import { github } from '../../src/providers/index.js'
import { signGitHubRequest } from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { NOW } from './verifier-suite.js'

const sdk = await import('@octokit/webhooks-methods').catch(() => undefined)
const BODY = '{"action": "opened", "issue": {"title": "Zoë ☕", "number": 1}}'

function request(signature: string, body = BODY): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://example.test/hooks/github',
    headers: { 'x-hub-signature-256': signature, 'x-github-delivery': 'd-1', 'x-github-event': 'issues' },
    body,
  }
}

describe.runIf(sdk)(
  sdk
    ? '@octokit/webhooks-methods cross-check'
    : '@octokit/webhooks-methods cross-check (skipped: @octokit/webhooks-methods did not load on this Node)',
  () => {
    const methods = sdk as NonNullable<typeof sdk>

    it('the SDK signs, we accept', async () => {
      const signature = await methods.sign('octo secret', BODY)
      const result = await github({ secret: 'octo secret' }).verify(request(signature), { now: NOW })
      expect(result).toMatchObject({ ok: true, id: 'd-1', type: 'issues' })
    })

    it('we sign, the SDK accepts (and matches the GitHub docs vector)', async () => {
      const signed = await signGitHubRequest({ secret: 'octo secret', body: BODY })
      const signature = (signed.headers as Record<string, string>)['x-hub-signature-256'] as string
      expect(await methods.verify('octo secret', BODY, signature)).toBe(true)
      const docs = await signGitHubRequest({ secret: "It's a Secret to Everybody", body: 'Hello, World!' })
      expect((docs.headers as Record<string, string>)['x-hub-signature-256']).toBe(
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      )
    })

    it('rotation: verifyWithFallback and a secret list agree', async () => {
      const signed = await signGitHubRequest({ secret: 'old secret', body: BODY })
      const signature = (signed.headers as Record<string, string>)['x-hub-signature-256'] as string
      expect(await methods.verifyWithFallback('new secret', BODY, signature, ['old secret'])).toBe(true)
      expect((await github({ secret: ['new secret', 'old secret'] }).verify(signed, { now: NOW })).ok).toBe(true)
    })

    it('the SDK rejects a forged or tampered delivery, and so do we', async () => {
      const forged = await methods.sign('attacker secret', BODY)
      expect(await methods.verify('octo secret', BODY, forged)).toBe(false)
      const ours = await github({ secret: 'octo secret' }).verify(request(forged), { now: NOW })
      expect(ours.ok).toBe(false)
      if (!ours.ok) expect(ours.error.code).toBe('invalid_signature')

      const genuine = await methods.sign('octo secret', BODY)
      const tampered = BODY.replace('opened', 'closed')
      expect(await methods.verify('octo secret', tampered, genuine)).toBe(false)
      expect((await github({ secret: 'octo secret' }).verify(request(genuine, tampered), { now: NOW })).ok).toBe(false)
    })
  },
)
