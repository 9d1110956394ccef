// Family I: QStash (HS256 JWT).
import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { qstash } from '../../src/providers/index.js'
import { signQStashRequest } from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { NOW, testVerifier } from './verifier-suite.js'

const URL_ = 'https://example.com/api/jobs'

testVerifier({
  name: 'qstash',
  secrets: ['sig_current_key', 'sig_next_key'],
  create: (secrets) => qstash({ secret: secrets, url: true }),
  sign: ({ secret, body, now }) => signQStashRequest({ secret, body, now, url: URL_, messageId: 'msg_suite' }),
  signatureHeaders: ['upstash-signature'],
  // No symmetric window: valid from nbf to exp with no leeway, as @upstash/qstash (tested below).
  expectedId: 'msg_suite',
})

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

// Independent reference signer: a JWT built by hand with node:crypto.
function referenceToken(
  key: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`
}

function request(token: string, body: string, url = URL_): WebhookRequest {
  return {
    method: 'POST',
    url,
    headers: { 'upstash-signature': token, 'upstash-message-id': 'msg_1', 'content-type': 'application/json' },
    body,
  }
}

describe('qstash', () => {
  const body = '{"job": "Zoë"}'
  const t = NOW / 1000
  const claims = {
    iss: 'Upstash',
    sub: URL_,
    exp: t + 300,
    nbf: t,
    iat: t,
    jti: 'jwt_1',
    // QStash sends the hash with '=' padding on some paths; padding is ignored, as the SDK does.
    body: `${createHash('sha256').update(body).digest('base64url')}=`,
  }

  it('known answer from a node:crypto JWT; either signing key; payload parsed as JSON', async () => {
    const provider = qstash({ secret: ['current', 'next'], url: URL_ })
    for (const key of ['current', 'next']) {
      expect(await provider.verify(request(referenceToken(key, claims), body), { now: NOW }), key).toMatchObject({
        ok: true,
        id: 'msg_1',
        payload: { job: 'Zoë' },
        timestamp: NOW,
      })
    }
  })

  it('refuses alg none, a wrong issuer, a wrong subject, a changed body and an expired token', async () => {
    const provider = qstash({ secret: 'current', url: true })
    const none = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims))}.`
    const cases: [string, string, string][] = [
      [none, body, 'malformed_signature'],
      [referenceToken('current', claims, { alg: 'HS512' }), body, 'malformed_signature'],
      [referenceToken('current', { ...claims, iss: 'Someone' }), body, 'invalid_token'],
      [referenceToken('current', { ...claims, sub: 'https://evil.example/' }), body, 'url_mismatch'],
      [referenceToken('current', claims), '{"job": "Zoe"}', 'invalid_signature'],
      [referenceToken('current', { ...claims, exp: t - 400, iat: t - 700, nbf: t - 700 }), body, 'timestamp_too_old'],
      [referenceToken('current', { ...claims, exp: undefined }), body, 'malformed_timestamp'],
    ]
    for (const [token, sent, code] of cases) {
      expect(await provider.verify(request(token, sent), { now: NOW }), code).toMatchObject({
        ok: false,
        error: { code },
      })
    }
    // By default `sub` must be the request URL; `url: false` turns that off (as the SDK without `url`).
    expect(
      (
        await qstash({ secret: 'current' }).verify(
          request(referenceToken('current', { ...claims, sub: 'https://other/' }), body),
          { now: NOW },
        )
      ).ok,
    ).toBe(false)
    expect(
      (
        await qstash({ secret: 'current', url: false }).verify(
          request(referenceToken('current', { ...claims, sub: 'https://other/' }), body),
          { now: NOW },
        )
      ).ok,
    ).toBe(true)
  })

  it('keeps non-JSON bodies as text and keeps the token out of events', async () => {
    const text = 'plain text job'
    const provider = qstash({ secret: 'current' })
    const token = referenceToken('current', { ...claims, body: createHash('sha256').update(text).digest('base64url') })
    const result = await provider.verify(
      { ...request(token, text), headers: { 'upstash-signature': token, 'content-type': 'text/plain' } },
      { now: NOW },
    )
    expect(result).toMatchObject({ ok: true, payload: text })
    expect(provider.sensitiveHeaders).toContain('upstash-signature')
  })

  it('SDK cross-check (@upstash/qstash Receiver): we sign → SDK accepts; forged → both reject', async () => {
    const { Receiver } = (await import('@upstash/qstash')) as unknown as {
      Receiver: new (o: {
        currentSigningKey: string
        nextSigningKey: string
      }) => {
        verify(o: { signature: string; body: string; url?: string }): Promise<boolean>
      }
    }
    const receiver = new Receiver({ currentSigningKey: 'current', nextSigningKey: 'next' })
    // The SDK checks exp/nbf with the real clock (jose), so these tokens use it too.
    const now = Date.now()
    for (const key of ['current', 'next']) {
      const signed = await signQStashRequest({ secret: key, body, url: URL_, now })
      const token = (signed.headers as Record<string, string>)['upstash-signature'] as string
      expect(await receiver.verify({ signature: token, body, url: URL_ }), key).toBe(true)
      expect((await qstash({ secret: ['current', 'next'], url: URL_ }).verify(signed, { now })).ok).toBe(true)
    }
    const forged = await signQStashRequest({ secret: 'attacker', body, url: URL_, now })
    const forgedToken = (forged.headers as Record<string, string>)['upstash-signature'] as string
    await expect(receiver.verify({ signature: forgedToken, body, url: URL_ })).rejects.toThrow()
    expect((await qstash({ secret: ['current', 'next'] }).verify(forged, { now })).ok).toBe(false)
    // QStash's SDK has no signer (QStash's servers sign); the node:crypto reference token stands in.
    const reference = referenceToken('next', {
      ...claims,
      exp: Math.floor(now / 1000) + 300,
      nbf: Math.floor(now / 1000),
      iat: Math.floor(now / 1000),
    })
    expect(await receiver.verify({ signature: reference, body, url: URL_ })).toBe(true)
  })
})
