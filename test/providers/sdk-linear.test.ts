// Cross-check against @linear/sdk's LinearWebhookClient. Linear publishes no signer, so the
// "SDK signs" direction is covered by the SDK accepting what we sign and refusing what we refuse.
// Recorded differences: the SDK answers a bad signature 400 (we answer 401, so Linear retries
// nothing it should not and the refusal is typed); the SDK reads the clock itself (Date.now),
// so the shared time is pinned with fake timers here. Both check webhookTimestamp ±60 s.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { linear } from '../../src/providers/index.js'
import { signLinearRequest } from '../../src/testing/index.js'
import { NOW } from './verifier-suite.js'

const sdk = await import('@linear/sdk/webhooks').catch(() => undefined)
const SECRET = 'lin_wh_secret'

function bodyOf(request: { body: string | Uint8Array }): string {
  return typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)
}

function signatureOf(request: { headers: unknown }): string {
  return (request.headers as Record<string, string>)['linear-signature'] as string
}

describe.runIf(sdk)(
  sdk
    ? '@linear/sdk LinearWebhookClient cross-check'
    : '@linear/sdk LinearWebhookClient cross-check (skipped: @linear/sdk/webhooks did not load on this Node)',
  () => {
    const client = new (sdk as NonNullable<typeof sdk>).LinearWebhookClient(SECRET)

    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(NOW)
    })
    afterEach(() => {
      vi.useRealTimers()
    })

    it('we sign, the SDK accepts and parses the same payload', async () => {
      const request = await signLinearRequest({
        secret: SECRET,
        body: { action: 'create', type: 'Issue', data: { id: 'i-1', title: 'Zoë' } },
        now: NOW,
      })
      const parsed = client.parseData(Buffer.from(bodyOf(request)), signatureOf(request))
      expect(parsed).toMatchObject({ type: 'Issue', webhookTimestamp: NOW })
      expect(await linear({ secret: SECRET }).verify(request, { now: NOW })).toMatchObject({
        ok: true,
        type: 'Issue',
        timestamp: NOW,
      })
    })

    it("the SDK's fetch handler answers 200 to our signed request", async () => {
      const request = await signLinearRequest({
        secret: SECRET,
        body: { action: 'update', type: 'Comment', data: {} },
        now: NOW,
      })
      const handler = client.createHandler()
      const seen: unknown[] = []
      handler.on('Comment', (payload: unknown) => void seen.push(payload))
      const response = await handler(
        new Request('https://example.test/linear', {
          method: 'POST',
          headers: request.headers as Record<string, string>,
          body: bodyOf(request),
        }),
      )
      expect(response.status).toBe(200)
      expect(seen).toHaveLength(1)
    })

    it('both refuse a forged signature, a tampered body and a stale timestamp', async () => {
      const forged = await signLinearRequest({ secret: 'attacker', body: { type: 'Issue' }, now: NOW })
      expect(() => client.verify(Buffer.from(bodyOf(forged)), signatureOf(forged))).toThrow()
      expect((await linear({ secret: SECRET }).verify(forged, { now: NOW })).ok).toBe(false)

      const genuine = await signLinearRequest({ secret: SECRET, body: { type: 'Issue', n: 1 }, now: NOW })
      const tampered = bodyOf(genuine).replace('"n":1', '"n":2')
      expect(() => client.verify(Buffer.from(tampered), signatureOf(genuine))).toThrow()
      expect((await linear({ secret: SECRET }).verify({ ...genuine, body: tampered }, { now: NOW })).ok).toBe(false)

      const stale = await signLinearRequest({ secret: SECRET, body: { type: 'Issue' }, now: NOW - 61_000 })
      expect(() => client.verify(Buffer.from(bodyOf(stale)), signatureOf(stale))).toThrow(/timestamp/)
      const ours = await linear({ secret: SECRET }).verify(stale, { now: NOW })
      expect(ours.ok).toBe(false)
      if (!ours.ok) expect(ours.error.code).toBe('timestamp_too_old')
    })
  },
)
