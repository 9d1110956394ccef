/**
 * Next.js adapters: `toNextRoute` for App Router route handlers (Node.js and Edge runtimes) and
 * `toNextPagesRoute` for Pages Router API routes. Next.js is imported as types only, and
 * structurally, so this module loads on every runtime Next.js deploys to.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WebhookHandler } from '../core/handler.js'
import { toFetchResponse } from '../core/responses.js'
import { serveConnect } from './incoming.js'
import {
  type AdapterOptions,
  firstValue,
  type HandlerSource,
  handlerSource,
  type NodeAdapterOptions,
  publicRequestUrl,
  resolveAdapterOptions,
  resolveNodeAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

/**
 * A Pages Router request: a Node `IncomingMessage`, as `NextApiRequest` is. `body` is what
 * Next.js's body parser left (nothing when the route turned it off, as it must).
 *
 * @example
 * import { type NextPagesRequest, type NextPagesResponse, toNextPagesRoute } from 'webhook-inbox/next'
 * const route: (req: NextPagesRequest, res: NextPagesResponse) => Promise<void> = toNextPagesRoute(handler)
 */
export type NextPagesRequest = IncomingMessage & { body?: unknown }

/**
 * A Pages Router response: a Node `ServerResponse`, as `NextApiResponse` is.
 *
 * @example
 * import type { NextPagesResponse } from 'webhook-inbox/next'
 * const answer = (res: NextPagesResponse) => { res.statusCode = 204; res.end() }
 */
export type NextPagesResponse = ServerResponse

const PAGES_PARSED_MESSAGE =
  "Next.js parsed the body before the webhook handler, so the signed bytes are gone; add `export const config = { api: { bodyParser: false } }` to this API route's file."

type RequestInitWithDuplex = RequestInit & { duplex?: 'half' }

// How long the rest of a refused body is read and dropped before giving up on it.
const LINGER_MS = 5_000

/** A lingering drain must not keep a Node process alive; elsewhere timers are plain numbers. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  ;(timer as { unref?: () => void }).unref?.()
}

/**
 * An App Router route handler (`app/.../route.ts`) for the Node.js and Edge runtimes. The
 * untouched `Request` goes to `handler.fetch`, which reads the body once, as bytes, within
 * `maxBodyBytes`; do not call `request.json()` or `request.text()` before it.
 *
 * Pass a function that creates the handler (the lazy form, as below): it runs on the first
 * request, not while `next build` collects page data, so a build without the runtime secrets
 * works. Until it succeeds, deliveries get 500 `invalid_config` and the provider retries.
 *
 * @example
 * // app/api/webhooks/stripe/route.ts
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { toNextRoute } from 'webhook-inbox/next'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * export const runtime = 'nodejs' // or 'edge'
 * export const POST = toNextRoute(() =>
 *   createWebhookHandler({
 *     provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *     enqueue: async (event) => { await queue.add(event.type, event) },
 *   }),
 * )
 */
export function toNextRoute(source: HandlerSource, options?: AdapterOptions): (request: Request) => Promise<Response> {
  const resolved = resolveAdapterOptions('toNextRoute', options)
  const getHandler = handlerSource('toNextRoute', source)
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
    let handler: WebhookHandler<unknown>
    try {
      handler = getHandler()
    } catch (error) {
      return toFetchResponse(setupFailure('toNextRoute', error))
    }
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
 * export default toNextPagesRoute(() =>
 *   createWebhookHandler({
 *     provider: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }),
 *     enqueue: async (event) => { await queue.add(event.type, event) },
 *   }),
 * )
 */
export function toNextPagesRoute(
  source: HandlerSource,
  options?: NodeAdapterOptions,
): (req: NextPagesRequest, res: NextPagesResponse) => Promise<void> {
  const resolved = resolveNodeAdapterOptions('toNextPagesRoute', options)
  const getHandler = handlerSource('toNextPagesRoute', source)
  // The same Node path as toNodeListener and toExpress: a GET is answered without a body, the
  // body is read with the limit while streaming (408 past `bodyTimeoutMs`), a parsed body is refused.
  return (req, res) => serveConnect('toNextPagesRoute', getHandler, resolved, req, res, PAGES_PARSED_MESSAGE)
}
