// Body limits on every Node adapter, over real HTTP on 127.0.0.1: a slow sender, a body that never
// ends, and a lying Content-Length cannot make the core hold more than maxBodyBytes; a stalled body
// is answered 408 and its connection closed once bodyTimeoutMs has passed, while a slow but steady
// sender that finishes within it is served.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toExpress } from '../../src/adapters/express.js'
import { toFastify } from '../../src/adapters/fastify.js'
import { toHono } from '../../src/adapters/hono.js'
import { toKoa } from '../../src/adapters/koa.js'
import { toNextPagesRoute } from '../../src/adapters/next.js'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, memoryStore, type WebhookHandler } from '../../src/index.js'
import { github } from '../../src/providers/index.js'
import { signGitHubRequest } from '../../src/testing/index.js'
import { record } from './scale.js'

const MAX = 16 * 1024
const CHUNK = 512
const SECRET = 'body-limits'
// The adapters' body timeout here; a stalled body must be answered well before WAIT_MS.
const BODY_TIMEOUT_MS = 1500
const WAIT_MS = 4 * BODY_TIMEOUT_MS

interface Started {
  port: number
  close(): Promise<void>
}

async function listenNode(server: Server): Promise<Started> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const options = { bodyTimeoutMs: BODY_TIMEOUT_MS }

const ADAPTERS: Record<string, (handler: WebhookHandler<unknown>) => Promise<Started>> = {
  node: (handler) => listenNode(createServer(toNodeListener(handler, options))),
  express: (handler) => {
    const app = express()
    app.post('/hooks', toExpress(handler, options))
    return listenNode(createServer(app))
  },
  koa: (handler) => {
    const app = new Koa()
    app.use(toKoa(handler, options))
    return listenNode(createServer(app.callback()))
  },
  fastify: async (handler) => {
    const app = Fastify({ forceCloseConnections: true })
    await app.register(toFastify(handler, options), { prefix: '/hooks' })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() }
  },
  'hono (node-server)': (handler) => {
    const app = new Hono()
    app.post('/hooks', toHono(handler, options))
    return listenNode(createAdaptorServer({ fetch: app.fetch }) as Server)
  },
  'next pages router': (handler) => {
    const route = toNextPagesRoute(handler, options)
    return listenNode(createServer((req, res) => void route(req, res)))
  },
}

/** Writes `head`, then `chunks` pieces of CHUNK bytes `gapMs` apart; never ends unless `end`. */
function trickle(
  port: number,
  options: { head: string; chunks: number; gapMs: number; end: boolean; waitMs: number },
): Promise<{ status: number; sentAtAnswer: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let sent = 0
    let status = 0
    let sentAtAnswer = -1
    let closed = false
    let response = ''
    socket.on('data', (data) => {
      response += data.toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response)
      if (match && status === 0) {
        status = Number(match[1])
        sentAtAnswer = sent
        finish()
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      closed = true
      finish()
    })
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      clearInterval(timer)
      clearTimeout(deadline)
      const result = { status, sentAtAnswer, closed }
      socket.destroy()
      resolve(result)
    }
    socket.write(options.head)
    let written = 0
    const timer = setInterval(() => {
      if (closed || status !== 0 || written >= options.chunks) {
        clearInterval(timer)
        if (options.end && !closed) socket.end()
        return
      }
      socket.write(Buffer.alloc(CHUNK, 0x61))
      sent += CHUNK
      written++
    }, options.gapMs)
    const deadline = setTimeout(finish, options.waitMs)
  })
}

for (const [name, start] of Object.entries(ADAPTERS)) {
  describe(`body limits: ${name}`, () => {
    let server: Started
    const seenBodies: number[] = []
    const rejected: string[] = []
    beforeAll(async () => {
      const handler = createWebhookHandler({
        provider: github({ secret: SECRET }),
        store: memoryStore(),
        maxBodyBytes: MAX,
        onWarning: () => {},
        onRejected: ({ error }) => void rejected.push(error.code),
        enqueue: async () => {},
      })
      const counting = Object.create(handler) as WebhookHandler<unknown>
      counting.handle = (request) => {
        seenBodies.push(typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength)
        return handler.handle(request)
      }
      server = await start(counting)
    })
    afterAll(() => server.close())

    const head = (extra: string) =>
      `POST /hooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-hub-signature-256: sha256=00\r\n${extra}\r\n`

    it('a slow chunked sender past maxBodyBytes is cut off at the limit with 413', async () => {
      const chunked = await trickleChunked(server.port, head('transfer-encoding: chunked\r\n'), 200, 5)
      expect(chunked.status).toBe(413)
      expect(chunked.sentAtAnswer).toBeLessThanOrEqual(MAX + 8 * CHUNK)
      expect(seenBodies.every((size) => size <= MAX)).toBe(true)
    })

    it('a lying Content-Length under the limit with more bytes sent: the core sees at most the declared bytes', async () => {
      const result = await trickle(server.port, {
        head: head('content-length: 1024\r\n'),
        chunks: 64,
        gapMs: 1,
        end: true,
        waitMs: 2000,
      })
      expect(result.status).not.toBe(0)
      expect(result.status).toBeLessThan(500)
      expect(Math.max(0, ...seenBodies)).toBeLessThanOrEqual(MAX)
    })

    it('a Content-Length over the limit is refused 413 before the body', async () => {
      const result = await trickle(server.port, {
        head: head(`content-length: ${10 * MAX}\r\n`),
        chunks: 0,
        gapMs: 5,
        end: false,
        waitMs: 1500,
      })
      expect(result.status).toBe(413)
      expect(result.sentAtAnswer).toBe(0)
    })

    it('a body that stalls after its first bytes is answered 408 body_timeout and its connection closed', async () => {
      const result = await stall(server.port, head('content-length: 4096\r\n'), 2 * CHUNK)
      record('stalled body', {
        adapter: name,
        answered: result.status,
        closed: result.closed,
        bodyTimeoutMs: BODY_TIMEOUT_MS,
      })
      expect(result.status).toBe(408)
      expect(result.body).toContain('body_timeout')
      expect(result.connectionHeader).toBe('close')
      expect(result.closed).toBe(true)
      expect(rejected).toContain('body_timeout')
      // The stalled body never reached the core.
      expect(seenBodies).not.toContain(4096)
    })

    it('a body that never starts (headers only, a declared length) is answered 408 too', async () => {
      const result = await stall(server.port, head('content-length: 100\r\n'), 0)
      expect(result.status).toBe(408)
      expect(result.closed).toBe(true)
    })

    it('a slow but steady sender that finishes within bodyTimeoutMs is served', async () => {
      const signed = await signGitHubRequest({
        secret: SECRET,
        event: 'issues',
        body: JSON.stringify({ action: 'opened', delivery: `steady-${name}`, padding: 'p'.repeat(2000) }),
      })
      const body = Buffer.from(signed.body as string)
      const headers = Object.entries(signed.headers as Record<string, string>)
        .map(([key, value]) => `${key}: ${value}\r\n`)
        .join('')
      const result = await steady(
        server.port,
        `POST /hooks HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers}content-length: ${body.byteLength}\r\n\r\n`,
        body,
        8,
        BODY_TIMEOUT_MS / 30,
      )
      expect(result.status).toBe(200)
      expect(seenBodies).toContain(body.byteLength)
    })
  })
}

/** Writes `head` and `bytes` bytes of body, then nothing; resolves once answered and closed, or at WAIT_MS. */
function stall(
  port: number,
  head: string,
  bytes: number,
): Promise<{ status: number; body: string; connectionHeader: string | undefined; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let response = ''
    socket.on('data', (data) => {
      response += data.toString('latin1')
    })
    socket.on('error', () => {})
    const finish = (closed: boolean) => {
      clearTimeout(deadline)
      socket.destroy()
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)
      const connectionHeader = /\r\nconnection: ([^\r]*)\r\n/i.exec(response)?.[1]?.toLowerCase()
      resolve({ status, body: response.slice(response.indexOf('\r\n\r\n') + 4), connectionHeader, closed })
    }
    socket.on('close', () => finish(true))
    const deadline = setTimeout(() => finish(false), WAIT_MS)
    socket.write(head)
    if (bytes > 0) socket.write(Buffer.alloc(bytes, 0x61))
  })
}

/** Sends `body` in `pieces` parts `gapMs` apart; resolves with the status. */
function steady(port: number, head: string, body: Buffer, pieces: number, gapMs: number): Promise<{ status: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let response = ''
    socket.on('data', (data) => {
      response += data.toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response)
      if (match) {
        clearInterval(timer)
        clearTimeout(deadline)
        socket.destroy()
        resolve({ status: Number(match[1]) })
      }
    })
    socket.on('error', () => {})
    socket.write(head)
    const size = Math.ceil(body.byteLength / pieces)
    let offset = 0
    const timer = setInterval(() => {
      if (offset >= body.byteLength) return clearInterval(timer)
      socket.write(body.subarray(offset, offset + size))
      offset += size
    }, gapMs)
    const deadline = setTimeout(() => {
      clearInterval(timer)
      socket.destroy()
      resolve({ status: 0 })
    }, WAIT_MS)
  })
}

/** Sends a chunked body as real chunks of CHUNK bytes, `gapMs` apart, never the terminating chunk. */
function trickleChunked(
  port: number,
  head: string,
  chunks: number,
  gapMs: number,
): Promise<{ status: number; sentAtAnswer: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let sent = 0
    let status = 0
    let sentAtAnswer = -1
    let written = 0
    socket.on('data', (data) => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))
      if (match && status === 0) {
        status = Number(match[1])
        sentAtAnswer = sent
      }
    })
    socket.on('error', () => {})
    socket.write(head)
    const timer = setInterval(() => {
      if (status !== 0 || written >= chunks || socket.destroyed) {
        clearInterval(timer)
        socket.destroy()
        resolve({ status, sentAtAnswer })
        return
      }
      socket.write(`${CHUNK.toString(16)}\r\n${'a'.repeat(CHUNK)}\r\n`)
      sent += CHUNK
      written++
    }, gapMs)
  })
}
