// Family A / J on the Web Crypto back end (what Workers, Vercel Edge, Deno and Bun use):
// node:crypto is made unavailable, so getCrypto() picks Web Crypto for everything below.
import { createHmac } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'

vi.mock('../../src/crypto/node.js', async (load) => ({
  ...(await load<typeof import('../../src/crypto/node.js')>()),
  loadNodeCrypto: () => undefined,
}))

const { getCrypto } = await import('../../src/crypto/index.js')
const { gitlab, linear, mailgun, microsoftGraph, postmark, shopify } = await import('../../src/providers/index.js')
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

function post(headers: Record<string, string>, body: string) {
  return {
    method: 'POST',
    url: 'https://example.test/h',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }
}

describe('family A / J on Web Crypto', () => {
  it('runs on the web back end', () => {
    expect(getCrypto().name).toBe('web')
  })

  it('HMAC presets, the body timestamp, the embedded signature and every shared-token kind', async () => {
    const body = `{"id":"e","webhookTimestamp":${NOW},"text":"Zoë"}`
    const shop = createHmac('sha256', 'k').update(body).digest('base64')
    expect(
      (await shopify({ secret: 'k' }).verify(post({ 'x-shopify-hmac-sha256': shop }, body), { now: NOW })).ok,
    ).toBe(true)
    expect(
      (await shopify({ secret: 'j' }).verify(post({ 'x-shopify-hmac-sha256': shop }, body), { now: NOW })).ok,
    ).toBe(false)

    const lin = createHmac('sha256', 'k').update(body).digest('hex')
    expect(await linear({ secret: 'k' }).verify(post({ 'linear-signature': lin }, body), { now: NOW })).toMatchObject({
      ok: true,
      timestamp: NOW,
    })

    const ts = String(NOW / 1000)
    const mg = `{"signature":{"timestamp":"${ts}","token":"tok","signature":"${createHmac('sha256', 'k').update(`${ts}tok`).digest('hex')}"},"event-data":{"id":"m"}}`
    expect(await mailgun({ secret: 'k' }).verify(post({}, mg), { now: NOW })).toMatchObject({ ok: true, id: 'm' })

    expect((await gitlab({ secret: 'tok' }).verify(post({ 'x-gitlab-token': 'tok' }, body), { now: NOW })).ok).toBe(
      true,
    )
    expect((await gitlab({ secret: 'tok' }).verify(post({ 'x-gitlab-token': 'tok2' }, body), { now: NOW })).ok).toBe(
      false,
    )
    const basic = `Basic ${Buffer.from('u:p').toString('base64')}`
    expect((await postmark({ secret: 'u:p' }).verify(post({ authorization: basic }, body), { now: NOW })).ok).toBe(true)
    const graph = '{"value":[{"clientState":"cs","changeType":"deleted"}]}'
    expect((await microsoftGraph({ secret: 'cs' }).verify(post({}, graph), { now: NOW })).ok).toBe(true)
    expect((await microsoftGraph({ secret: 'cx' }).verify(post({}, graph), { now: NOW })).ok).toBe(false)
  })
})
