import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { listen } from './listen.js'
import { PATH, send, setup, testAdapter, urlSigned, urlSigningProvider } from './suite.js'

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/** Connect-style chain: each middleware calls `next` to go on, like Connect or Polka. */
function chain(...middleware: Middleware[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const run = (index: number, error?: unknown): void => {
      if (error) {
        res.statusCode = 599
        res.end('chain error')
        return
      }
      const current = middleware[index]
      if (!current) {
        res.statusCode = 404
        res.end()
        return
      }
      current(req, res, (next) => run(index + 1, next))
    }
    run(0)
  }
}

testAdapter({
  name: 'node:http',
  start: (handler, { adapter }) => listen(createServer(toNodeListener(handler, adapter))),
  startBehindParser: (handler, { adapter }) =>
    listen(createServer(chain(express.json() as unknown as Middleware, toNodeListener(handler, adapter)))),
})

describe('node:http: Connect-style middleware', () => {
  it('takes the Buffer a raw body parser left in req.body', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_node' }))
    const raw = express.raw({ type: '*/*' }) as unknown as Middleware
    const server = await listen(createServer(chain(raw, toNodeListener(handler))))
    try {
      const delivery = await signStripeRequest({ secret: 'whsec_node', body: { id: 'evt_connect', type: 't' } })
      expect((await send(server.url + PATH, delivery)).status).toBe(200)
    } finally {
      await server.close()
    }
    expect(enqueued.map((e) => e.id)).toEqual(['evt_connect'])
  })
})

describe('node:https', () => {
  const tls = (name: string) => readFileSync(new URL(`./tls/localhost.${name}.pem`, import.meta.url))

  it('rebuilds an https URL from the TLS connection', async () => {
    const seen: string[] = []
    const { handler, enqueued } = setup(urlSigningProvider(seen))
    const server = createHttpsServer({ key: tls('key'), cert: tls('cert') }, toNodeListener(handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const url = `https://127.0.0.1:${port}${PATH}?q=1`
    try {
      const delivery = await urlSigned(url, 'u-tls')
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(url, { method: 'POST', headers: delivery.headers, ca: tls('cert') }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.end(delivery.body)
      })
      expect(status).toBe(200)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    expect(seen).toEqual([url])
    expect(enqueued).toHaveLength(1)
  })
})
