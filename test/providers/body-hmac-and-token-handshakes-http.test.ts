// The family A / J handshakes over real HTTP (node:http on 127.0.0.1, port 0), answered byte
// for byte as each provider documents them, and never enqueued.
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, memoryStore } from '../../src/index.js'
import { dropbox, meta, microsoftGraph, notion, woocommerce, xero } from '../../src/providers/index.js'
import type { Provider, WebhookEvent } from '../../src/types.js'

const events: WebhookEvent[] = []
const tokens: string[] = []
const tokensWithSecret: string[] = []
const routes: Record<string, Provider> = {
  '/meta': meta({ secret: 'app-secret', verifyToken: 'verify me' }),
  '/dropbox': dropbox({ secret: 'app-secret' }),
  '/graph': microsoftGraph({ secret: 'client-state' }),
  '/xero': xero({ secret: 'webhook-key' }),
  '/woo': woocommerce({ secret: 'wc-secret' }),
  '/notion': notion({ onVerificationToken: (token) => void tokens.push(token) }),
  '/notion-signed': notion({
    secret: 'secret_live',
    onVerificationToken: (token) => void tokensWithSecret.push(token),
  }),
}
const listeners = Object.fromEntries(
  Object.entries(routes).map(([path, provider]) => [
    path,
    toNodeListener(
      createWebhookHandler({ provider, store: memoryStore(), enqueue: (event) => void events.push(event) }),
    ),
  ]),
)
const server = createServer((req, res) => {
  const listener = listeners[new URL(req.url ?? '/', 'http://x').pathname]
  if (listener) listener(req, res)
  else res.writeHead(404).end()
})
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  expect(events).toHaveLength(0)
})

describe('handshakes over HTTP', () => {
  it('Meta: GET hub.challenge → 200 text/plain challenge; wrong token → 403; POST-only presets still refuse GET', async () => {
    const ok = await fetch(`${base}/meta?hub.mode=subscribe&hub.verify_token=verify+me&hub.challenge=1158201444`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('text/plain')
    expect(await ok.text()).toBe('1158201444')
    const bad = await fetch(`${base}/meta?hub.mode=subscribe&hub.verify_token=verify&hub.challenge=1158201444`)
    expect(bad.status).toBe(403)
    expect(await bad.text()).not.toContain('1158201444')
    const xeroGet = await fetch(`${base}/xero?challenge=x`)
    expect(xeroGet.status).toBe(405)
  })

  it('Dropbox: GET ?challenge= → 200 text/plain + nosniff, the challenge unchanged', async () => {
    const response = await fetch(`${base}/dropbox?challenge=GOOD-challenge_123`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe('GOOD-challenge_123')
  })

  it('Microsoft Graph: POST ?validationToken= → 200 text/plain, the URL-decoded token', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 7d3a'
    const response = await fetch(`${base}/graph?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe(token)
  })

  it('Xero Intent to Receive: well-signed → 200 with an empty body; mis-signed → 401', async () => {
    const body = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"QWERTYUIOP"}'
    const send = (key: string) =>
      fetch(`${base}/xero`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-xero-signature': createHmac('sha256', key).update(body).digest('base64'),
        },
        body,
      })
    const good = await send('webhook-key')
    expect(good.status).toBe(200)
    expect(await good.text()).toBe('')
    expect((await send('not-the-key')).status).toBe(401)
  })

  it('WooCommerce: the form webhook_id ping → 200', async () => {
    const response = await fetch(`${base}/woo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=15',
    })
    expect(response.status).toBe(200)
  })

  it('Notion: the verification_token POST → 200 and the token reaches onVerificationToken', async () => {
    const response = await fetch(`${base}/notion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"verification_token":"secret_abc123"}',
    })
    expect(response.status).toBe(200)
    expect(tokens).toEqual(['secret_abc123'])
  })

  it('Notion with a secret: an unsigned verification_token POST is refused and never reaches the hook', async () => {
    const response = await fetch(`${base}/notion-signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"verification_token":"secret_attacker"}',
    })
    expect(response.status).toBe(401)
    expect(tokensWithSecret).toEqual([])
    expect(events.filter((e) => e.provider === 'notion')).toEqual([])
  })
})
