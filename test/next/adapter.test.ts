import { createServer } from 'node:http'
import { PassThrough } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { apiResolver } from 'next/dist/server/api-utils/node/api-resolver.js'
import { describe, expect, it, vi } from 'vitest'
import { type NextPagesRequest, toNextPagesRoute, toNextRoute } from '../../src/adapters/next.js'
import type { HandlerSource } from '../../src/adapters/shared.js'
import { isWebhookError, type WebhookHandler } from '../../src/index.js'
import { defineProvider, stripe } from '../../src/providers/index.js'
import { signStripeRequest, toFetchRequest } from '../../src/testing/index.js'
import { listen } from '../adapters/listen.js'
import { type AdapterServer, PATH, type StartOptions, send, sendRaw, setup, testAdapter } from '../adapters/suite.js'

// The shared adapter suite, in process: the Pages Router adapter behind Next.js's own API
// resolver (the code `next start` runs for pages/api, body parser included), and the App Router
// adapter behind a Node → Fetch bridge. test/next/next-app.test.ts runs the real app too.

const preview = { previewModeId: 'id', previewModeEncryptionKey: 'key', previewModeSigningKey: 'key' }

function pagesServer(
  handler: HandlerSource,
  { path, adapter }: StartOptions,
  bodyParser: boolean,
): Promise<AdapterServer> {
  const route = toNextPagesRoute(handler, adapter)
  // What a pages/api module exports; `config` is read by Next.js's resolver like in a build.
  const resolverModule = { default: route, config: bodyParser ? {} : { api: { bodyParser: false } } }
  return listen(
    createServer((req, res) => {
      if (!req.url?.startsWith(path)) {
        res.statusCode = 404
        res.end()
        return
      }
      void apiResolver(req, res, {}, resolverModule, { ...preview, dev: false }, false, false, path)
    }),
  )
}

function appServer(
  handler: HandlerSource,
  { path, adapter }: StartOptions,
  readFirst: boolean,
): Promise<AdapterServer> {
  const route = toNextRoute(handler, adapter)
  return listen(
    createServer(
      getRequestListener(async (request) => {
        if (new URL(request.url).pathname !== path) return new Response(null, { status: 404 })
        // The mistake this adapter must catch: the body read before the route.
        if (readFirst && request.method === 'POST') await request.json().catch(() => {})
        return route(request)
      }),
    ),
  )
}

testAdapter({
  name: 'next: toNextPagesRoute behind Next.js apiResolver',
  start: (handler, options) => pagesServer(handler, options, false),
  startBehindParser: (handler, options) => pagesServer(handler, options, true),
})

testAdapter({
  name: 'next: toNextRoute on a Node → Fetch bridge',
  start: (handler, options) => appServer(handler, options, false),
  startBehindParser: (handler, options) => appServer(handler, options, true),
})

describe('toNextPagesRoute', () => {
  it('tells the user to turn off bodyParser when Next.js parsed the body', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_pages' }))
    const server = await pagesServer(handler, { path: PATH }, true)
    try {
      const delivery = await signStripeRequest({ secret: 'whsec_pages', body: { id: 'evt_p', type: 't' } })
      const answer = await send(server.url + PATH, delivery)
      expect(answer.status).toBe(500)
      const { error } = answer.json() as { error: { code: string; message: string } }
      expect(error.code).toBe('body_already_parsed')
      expect(error.message).toContain('export const config = { api: { bodyParser: false } }')
    } finally {
      await server.close()
    }
    expect(enqueued).toHaveLength(0)
  })

  it('verifies the Buffer a custom server left in req.body (the exact bytes)', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_pages' }))
    const route = toNextPagesRoute(handler)
    const delivery = await signStripeRequest({ secret: 'whsec_pages', body: '{"id":"evt_buf", "type":"t"}' })
    const server = await listen(
      createServer(async (req, res) => {
        const chunks: Buffer[] = []
        for await (const chunk of req) chunks.push(chunk as Buffer)
        await route(Object.assign(req, { body: Buffer.concat(chunks) }), res)
      }),
    )
    try {
      expect((await send(server.url + PATH, delivery)).status).toBe(200)
    } finally {
      await server.close()
    }
    expect(enqueued.map((event) => event.body)).toEqual(['{"id":"evt_buf", "type":"t"}'])
  })

  it('answers a Host header the URL parser refuses instead of throwing', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_pages' }))
    const server = await pagesServer(handler, { path: PATH }, false)
    try {
      const answer = await sendRaw(server.url + PATH, {
        headers: { host: 'hooks.example.com:99999', 'content-type': 'application/json' },
        body: '{"id":"evt_host"}',
      })
      expect(answer.status).toBe(401)
      expect((answer.json() as { error: { code: string } }).error.code).toBe('missing_signature')
    } finally {
      await server.close()
    }
    expect(enqueued).toHaveLength(0)
  })

  it('refuses setup mistakes at factory time with what to fix', () => {
    const { handler } = setup(stripe({ secret: 'whsec_pages' }))
    const attempts = [
      () => toNextPagesRoute(undefined as unknown as WebhookHandler<unknown>),
      () => toNextRoute({} as WebhookHandler<unknown>),
      () => toNextRoute(handler, { publicUrl: 'api.example.com' }),
      () => toNextPagesRoute(handler, { publicUrl: 'https://api.example.com/?a=1' }),
    ]
    for (const attempt of attempts) {
      let thrown: unknown
      try {
        attempt()
      } catch (error) {
        thrown = error
      }
      expect(isWebhookError(thrown) && thrown.code).toBe('invalid_config')
      expect((thrown as Error).message).toMatch(/^\[webhook-inbox\] .*(createWebhookHandler|publicUrl)/)
    }
  })
})

describe('toNextRoute', () => {
  it('answers 413 to a body another reader also holds (a clone, as in the Edge sandbox), without hanging', async () => {
    const { handler } = setup(stripe({ secret: 'whsec_app' }), { maxBodyBytes: 1024 })
    const request = new Request('http://127.0.0.1/hooks/in', { method: 'POST', body: new Uint8Array(4096) })
    const clone = request.clone()
    const response = await toNextRoute(handler)(request)
    expect(response.status).toBe(413)
    expect(await clone.arrayBuffer()).toHaveProperty('byteLength', 4096)
    // The same through the core directly, whose cancel must not wait for the other branch.
    const again = new Request('http://127.0.0.1/hooks/in', { method: 'POST', body: new Uint8Array(4096) })
    const other = again.clone()
    expect((await handler.fetch(again)).status).toBe(413)
    expect(await other.arrayBuffer()).toHaveProperty('byteLength', 4096)
  }, 5_000)

  it('takes the host from Host, since next start puts its own listening address in request.url', async () => {
    const seen: string[] = []
    const provider = defineProvider({
      name: 'urls',
      body: 'text',
      verify: async (d) => {
        seen.push(d.url)
        return { ok: true }
      },
      id: () => 'u1',
    })
    const { handler } = setup(provider)
    const request = new Request('http://0.0.0.0:3000/api/hook?b=2&a=1', {
      method: 'POST',
      headers: { host: 'hooks.example.com', 'x-forwarded-host': 'evil.example.com' },
      body: '{}',
    })
    expect((await toNextRoute(handler)(request)).status).toBe(200)
    expect(seen).toEqual(['http://hooks.example.com/api/hook?b=2&a=1'])
  })

  it('answers a Host header the URL parser refuses instead of throwing', async () => {
    const { handler } = setup(stripe({ secret: 'whsec_app' }))
    for (const host of ['hooks.example.com:99999', 'a%zz', '[:::]']) {
      const request = new Request('http://0.0.0.0:3000/api/hook', {
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
        body: '{}',
      })
      expect((await toNextRoute(handler)(request)).status).toBe(401)
    }
  })

  it('verifies the bytes of a Request handed over directly, as Next.js calls the export', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_app' }))
    const delivery = await signStripeRequest({ secret: 'whsec_app', body: { id: 'evt_direct', type: 't' } })
    const response = await toNextRoute(handler)(toFetchRequest(delivery, 'https://shop.example.com/api/stripe'))
    expect(response.status).toBe(200)
    expect(enqueued[0]?.body).toBe(delivery.body)
  })
})

describe('the lingering drain after a 413', () => {
  /** Runs `work` and returns the 5 s linger timers it started, cleared, with whether they kept the process alive. */
  async function lingerTimers(work: () => Promise<unknown>): Promise<boolean[]> {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    try {
      await work()
      await new Promise((resolve) => setImmediate(resolve))
      const refs: boolean[] = []
      spy.mock.calls.forEach((call, index) => {
        if (call[1] !== 5_000) return
        const timer = spy.mock.results[index]?.value as NodeJS.Timeout
        refs.push(timer.hasRef())
        clearTimeout(timer)
      })
      return refs
    } finally {
      spy.mockRestore()
    }
  }

  it('toNextPagesRoute does not keep the process alive while it drains', async () => {
    const { handler } = setup(stripe({ secret: 'whsec_pages' }), { maxBodyBytes: 1024 })
    const req = Object.assign(new PassThrough(), {
      method: 'POST',
      url: PATH,
      headers: { host: 'hooks.example.com', 'content-type': 'application/json' },
    })
    let status = 0
    const res = { statusCode: 0, setHeader() {}, end() {} }
    const refs = await lingerTimers(async () => {
      const done = toNextPagesRoute(handler)(
        req as unknown as NextPagesRequest,
        res as unknown as Parameters<ReturnType<typeof toNextPagesRoute>>[1],
      )
      // A body over the limit whose sender never ends it.
      req.write(new Uint8Array(4096))
      await done
      status = res.statusCode
    })
    expect(status).toBe(413)
    expect(refs).toEqual([false])
  })

  it('toNextRoute does not keep the process alive while it drains', async () => {
    const { handler } = setup(stripe({ secret: 'whsec_app' }), { maxBodyBytes: 1024 })
    let source: ReadableStreamDefaultController<Uint8Array> | undefined
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        source = controller
        controller.enqueue(new Uint8Array(4096))
      },
    })
    let status = 0
    const refs = await lingerTimers(async () => {
      const request = new Request('http://127.0.0.1/hooks/in', {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit)
      status = (await toNextRoute(handler)(request)).status
    })
    source?.close()
    expect(status).toBe(413)
    expect(refs).toEqual([false])
  })
})
