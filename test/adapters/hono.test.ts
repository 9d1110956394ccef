import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { toHono } from '../../src/adapters/hono.js'
import type { HandlerSource } from '../../src/adapters/shared.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import type { AdapterServer, StartOptions } from './suite.js'
import { PATH, send, setup, testAdapter } from './suite.js'

type Before = 'none' | 'json' | 'arrayBuffer'

function app(handler: HandlerSource, { path, adapter }: StartOptions, before: Before = 'none') {
  const hono = new Hono()
  if (before === 'json') {
    hono.use(path, async (c, next) => {
      if (c.req.method === 'POST') await c.req.json()
      await next()
    })
  }
  if (before === 'arrayBuffer') {
    hono.use(path, async (c, next) => {
      await c.req.arrayBuffer()
      await next()
    })
  }
  hono.all(path, toHono(handler, adapter))
  return new Promise<AdapterServer>((resolve) => {
    const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
          }),
      })
    })
  })
}

testAdapter({
  name: 'hono on @hono/node-server',
  start: (handler, options) => app(handler, options),
  startBehindParser: (handler, options) => app(handler, options, 'json'),
})

describe('hono: a body read earlier with c.req.arrayBuffer()', () => {
  it('verifies the exact bytes Hono cached', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_hono' }))
    const server = await app(handler, { path: PATH }, 'arrayBuffer')
    try {
      const delivery = await signStripeRequest({ secret: 'whsec_hono', body: '{"id":"evt_cached", "type":"t"}' })
      expect((await send(server.url + PATH, delivery)).status).toBe(200)
    } finally {
      await server.close()
    }
    expect(enqueued[0]?.body).toBe('{"id":"evt_cached", "type":"t"}')
  })
})

describe('hono: trustProxy', () => {
  it('answers an X-Forwarded-Host the URL parser refuses instead of throwing', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_hono' }))
    const hono = new Hono()
    hono.post(PATH, toHono(handler, { trustProxy: true }))
    for (const host of ['hooks.example.com:99999', 'a%zz', '[:::]']) {
      const response = await hono.request(`http://127.0.0.1${PATH}`, {
        method: 'POST',
        headers: { 'x-forwarded-host': host, 'content-type': 'application/json' },
        body: '{}',
      })
      expect(response.status).toBe(401)
    }
    expect(enqueued).toHaveLength(0)
  })
})
