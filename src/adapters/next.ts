/**
 * Next.js adapters: `toNextRoute` for App Router route handlers (Node.js and Edge runtimes) and
 * `toNextPagesRoute` for Pages Router API routes. Next.js is imported as types only, and
 * structurally, so this module loads on every runtime Next.js deploys to.
 * @module
 */
import type { WebhookHandler } from '../core/handler.js'
import { configInvariant } from '../errors.js'
import type { WebhookResponse } from '../types.js'
import { type AdapterOptions, firstValue, publicRequestUrl, resolveAdapterOptions } from './shared.js'

export type { AdapterOptions } from './shared.js'

/**
 * The part of a Pages Router `NextApiRequest` (a Node `IncomingMessage`) the adapter reads.
 * Structural, so that `next` is not needed for the types; a `NextApiRequest` fits it.
 *
 * @example
 * import { type NextPagesRequest, type NextPagesResponse, toNextPagesRoute } from 'webhook-inbox/next'
 * const route: (req: NextPagesRequest, res: NextPagesResponse) => Promise<void> = toNextPagesRoute(handler)
 */
export interface NextPagesRequest {
  method?: string
  /** Path and query, as Node gives it. */
  url?: string
  headers: Record<string, string | string[] | undefined>
  /** Set by Next.js when its body parser ran: then the raw bytes are gone. */
  body?: unknown
  readableEnded?: boolean
  /** A TLS socket has `encrypted: true`. */
  socket?: object | null
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: string, listener: (...args: never[]) => void): unknown
  pause?(): unknown
  resume?(): unknown
  destroy?(): unknown
}

/**
 * The part of a Pages Router `NextApiResponse` (a Node `ServerResponse`) the adapter writes.
 *
 * @example
 * import type { NextPagesResponse } from 'webhook-inbox/next'
 * const answer = (res: NextPagesResponse) => { res.statusCode = 204; res.end() }
 */
export interface NextPagesResponse {
  statusCode: number
  setHeader(name: string, value: string): unknown
  end(body?: string): unknown
}

type RequestInitWithDuplex = RequestInit & { duplex?: 'half' }

// How long the rest of a refused body is read and dropped before giving up on it.
const LINGER_MS = 5_000

/** A lingering drain must not keep a Node process alive; elsewhere timers are plain numbers. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  ;(timer as { unref?: () => void }).unref?.()
}

function checkHandler(handler: WebhookHandler<unknown>, name: string): void {
  configInvariant(
    handler && typeof handler.fetch === 'function' && typeof handler.handle === 'function',
    `${name}: pass the handler returned by createWebhookHandler from webhook-inbox, e.g. \`${name}(createWebhookHandler({ provider, enqueue }))\`.`,
  )
}

/**
 * An App Router route handler (`app/.../route.ts`) for the Node.js and Edge runtimes. The
 * untouched `Request` goes to `handler.fetch`, which reads the body once, as bytes, within
 * `maxBodyBytes`; do not call `request.json()` or `request.text()` before it.
 *
 * @example
 * // app/api/webhooks/stripe/route.ts
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { toNextRoute } from 'webhook-inbox/next'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * export const runtime = 'nodejs' // or 'edge'
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET ?? '' }),
 *   enqueue: async (event) => { await queue.add(event.type, event) },
 * })
 * export const POST = toNextRoute(handler)
 */
export function toNextRoute(
  handler: WebhookHandler<unknown>,
  options?: AdapterOptions,
): (request: Request) => Promise<Response> {
  checkHandler(handler, 'toNextRoute')
  const resolved = resolveAdapterOptions('toNextRoute', options)
  function publicUrl(request: Request): string {
    const current = new URL(request.url)
    return publicRequestUrl(
      {
        protocol: current.protocol === 'https:' ? 'https' : 'http',
        // `next start` builds request.url from its own listening address, not from Host
        // (next/dist/server/lib/router-utils/resolve-routes.js), so Host is the called host.
        host: firstValue(request.headers.get('host')) ?? current.host,
        target: current.pathname + current.search,
        forwardedProto: firstValue(request.headers.get('x-forwarded-proto')),
        forwardedHost: firstValue(request.headers.get('x-forwarded-host')),
      },
      resolved,
    )
  }

  return async (request) => {
    // A body already read goes to the core as it is, which answers `body_already_parsed`.
    if (request.bodyUsed) return handler.fetch(request)
    const url = publicUrl(request)
    if (request.body === null) {
      const init = { method: request.method, headers: request.headers, signal: request.signal }
      return handler.fetch(url === request.url ? request : new Request(url, init))
    }
    const init: RequestInitWithDuplex = {
      method: request.method,
      headers: request.headers,
      body: lingering(request.body),
      signal: request.signal,
      duplex: 'half',
    }
    return handler.fetch(new Request(url, init))
  }
}

/**
 * Passes the body through, read once. When the core stops reading it (over `maxBodyBytes`),
 * the rest is read and dropped for up to {@link LINGER_MS} instead of being cancelled: under
 * `next start` (Node.js runtime) a cancelled body is left unread in the socket, so the 413 is
 * sent but the next request on that keep-alive connection stalls and is reset.
 */
function lingering(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel() {
        const timer = setTimeout(() => {
          reader.cancel().catch(() => {})
        }, LINGER_MS)
        unref(timer)
        const drain = async (): Promise<void> => {
          for (;;) if ((await reader.read()).done) return
        }
        drain()
          .catch(() => {})
          .finally(() => clearTimeout(timer))
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * A Pages Router API route (`pages/api/...`). The route must turn off Next.js's body parser,
 * which would otherwise consume the raw bytes the signature covers:
 * `export const config = { api: { bodyParser: false } }`. When the parser ran anyway, the
 * route answers 500 `body_already_parsed` with that instruction instead of verifying a
 * re-serialised body.
 *
 * @example
 * // pages/api/webhooks/github.ts
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { toNextPagesRoute } from 'webhook-inbox/next'
 * import { github } from 'webhook-inbox/providers'
 *
 * export const config = { api: { bodyParser: false } }
 * const handler = createWebhookHandler({
 *   provider: github({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? '' }),
 *   enqueue: async (event) => { await queue.add(event.type, event) },
 * })
 * export default toNextPagesRoute(handler)
 */
export function toNextPagesRoute(
  handler: WebhookHandler<unknown>,
  options?: AdapterOptions,
): (req: NextPagesRequest, res: NextPagesResponse) => Promise<void> {
  checkHandler(handler, 'toNextPagesRoute')
  const resolved = resolveAdapterOptions('toNextPagesRoute', options)
  const { methods } = handler

  return async (req, res) => {
    const method = String(req.method ?? 'GET').toUpperCase()
    const href = publicRequestUrl(
      {
        protocol: (req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? 'https' : 'http',
        host: firstValue(req.headers.host),
        target: req.url ?? '/',
        forwardedProto: firstValue(req.headers['x-forwarded-proto']),
        forwardedHost: firstValue(req.headers['x-forwarded-host']),
      },
      resolved,
    )
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      // HTTP/2 pseudo-headers (`:authority`) are not valid Fetch header names.
      if (value === undefined || name.startsWith(':')) continue
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
    }

    if (!methods.includes(method)) {
      // Through `handle`, not a Fetch Request: `new Request()` rejects methods such as TRACE.
      return write(res, await handler.handle({ method, url: href, headers, body: '' }))
    }
    const body = requestBody(req)
    if (body === 'parsed') {
      return write(
        res,
        handler.refuse('body_already_parsed', {
          method,
          message:
            "Next.js parsed the body before the webhook handler, so the signed bytes are gone; add `export const config = { api: { bodyParser: false } }` to this API route's file.",
        }),
      )
    }
    const init: RequestInitWithDuplex = { method, headers, body: body as BodyInit, duplex: 'half' }
    const response = await handler.fetch(new Request(href, init))
    write(res, {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    })
  }
}

/** The raw body as bytes or a stream, or `'parsed'` when something consumed it first. */
function requestBody(req: NextPagesRequest): Uint8Array | ReadableStream<Uint8Array> | 'parsed' {
  // A custom server may have read the bytes already (e.g. express.raw()): those are still exact.
  if (req.body instanceof Uint8Array) return req.body
  if (req.body !== undefined || req.readableEnded === true) return 'parsed'
  return nodeStream(req)
}

/** A Web stream over the Node request; cancelling it (over `maxBodyBytes`) stops reading. */
function nodeStream(req: NextPagesRequest): ReadableStream<Uint8Array> {
  let cleanup = (): void => {}
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Uint8Array | string): void => {
        controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
        // Back-pressure: pause the socket until the reader asks for more.
        if ((controller.desiredSize ?? 1) <= 0) req.pause?.()
      }
      const onEnd = (): void => {
        cleanup()
        controller.close()
      }
      const onError = (error: Error): void => {
        cleanup()
        controller.error(error)
      }
      const onClose = (): void => {
        cleanup()
        controller.error(new Error('the client closed the connection before the body was complete'))
      }
      cleanup = () => {
        req.removeListener('data', onData)
        req.removeListener('end', onEnd)
        req.removeListener('error', onError)
        req.removeListener('close', onClose)
      }
      req.on('data', onData)
      req.on('end', onEnd)
      req.on('error', onError)
      req.on('close', onClose)
    },
    pull() {
      req.resume?.()
    },
    cancel() {
      // Over the limit. Node does not discard a body that was already being read, so read and
      // drop the rest (never buffering it) for up to LINGER_MS: left unread, it would stall the
      // next request on this keep-alive connection.
      cleanup()
      const timer = setTimeout(() => req.destroy?.(), LINGER_MS)
      unref(timer)
      const stop = (): void => clearTimeout(timer)
      req.on('end', stop)
      req.on('close', stop)
      req.resume?.()
    },
  })
}

function write(res: NextPagesResponse, response: WebhookResponse): void {
  res.statusCode = response.status
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  res.end(response.body)
}
