import type { Context, Handler } from 'hono'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import type { WebhookHandler } from '../core/handler.js'
import { NULL_BODY_STATUSES, toFetchResponse } from '../core/responses.js'
import type { WebhookResponse } from '../types.js'
import { answerNodeRequest, type BodySource, drainRequest, type NodeRequest, streamConsumed } from './incoming.js'
import {
  firstValue,
  type HandlerSource,
  handlerSource,
  type NodeAdapterOptions,
  publicRequestUrl,
  resolveNodeAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

const PARSED_MESSAGE =
  'the request body was already read as JSON, text or form data before the webhook handler (c.req.json(), a validator), so its raw bytes are gone. Register the webhook route before that middleware, or read it with c.req.arrayBuffer() only.'

const STREAM: BodySource = Object.freeze({ kind: 'stream' })

/**
 * The Node request under `@hono/node-server` (its bindings put it in `c.env.incoming`), when its
 * body is still unread; `undefined` on every other runtime.
 */
function unreadNodeRequest(c: Context): NodeRequest | undefined {
  const incoming = (c.env as { incoming?: Partial<NodeRequest> } | undefined)?.incoming
  if (typeof incoming !== 'object' || incoming === null) return undefined
  if (typeof incoming.on !== 'function' || !Array.isArray(incoming.rawHeaders)) return undefined
  const request = incoming as NodeRequest
  return streamConsumed(request) ? undefined : request
}

/** The core's answer as Hono's own response, so no Web `Response` is read back on Node. */
function honoResponse(c: Context, response: WebhookResponse): Response {
  if (NULL_BODY_STATUSES.has(response.status)) return c.body(null, response.status as StatusCode, response.headers)
  return c.body(response.body, response.status as ContentfulStatusCode, response.headers)
}

/**
 * A Hono handler for a webhook handler, on every runtime Hono runs on (Node with
 * `@hono/node-server`, Cloudflare Workers, Vercel Edge, Deno, Bun). The body limit is the
 * core's, enforced while streaming. Edge-safe: no `node:` import. Give it the handler, or a
 * function that creates it on the first request ({@link HandlerSource}).
 *
 * On `@hono/node-server` the body is read from the Node request itself, as the Node adapters
 * read it (within `maxBodyBytes` and `bodyTimeoutMs`, 408 past it), without the Web `Request`
 * and `Response` that node-server would otherwise build and convert back. Elsewhere the
 * untouched `c.req.raw` goes to `handler.fetch` (`bodyTimeoutMs` is then the runtime's concern).
 *
 * @example
 * import { Hono } from 'hono'
 * import { toHono } from 'webhook-inbox/hono'
 *
 * const app = new Hono()
 * app.post('/webhooks/stripe', toHono(handler))
 */
export function toHono(source: HandlerSource, options?: NodeAdapterOptions): Handler {
  const resolved = resolveNodeAdapterOptions('toHono', options)
  const getHandler = handlerSource('toHono', source)
  const rewrite = resolved.base !== undefined || resolved.trustProxy

  function publicUrl(raw: Request): string {
    if (!rewrite) return raw.url
    const current = new URL(raw.url)
    return publicRequestUrl(
      {
        protocol: current.protocol === 'https:' ? 'https' : 'http',
        host: current.host,
        target: current.pathname + current.search,
        forwardedProto: firstValue(raw.headers.get('x-forwarded-proto')),
        forwardedHost: firstValue(raw.headers.get('x-forwarded-host')),
      },
      resolved,
    )
  }

  async function fromNode(c: Context, handler: WebhookHandler<unknown>, incoming: NodeRequest): Promise<Response> {
    const answer = await answerNodeRequest(handler, incoming, STREAM, resolved)
    // The client went away mid-body: there is nobody to answer.
    if (!answer) return c.body(null, 400)
    if (answer.unread) drainRequest(incoming)
    return honoResponse(c, answer.response)
  }

  return async (c: Context): Promise<Response> => {
    let handler: WebhookHandler<unknown>
    try {
      handler = getHandler()
    } catch (error) {
      return toFetchResponse(setupFailure('toHono', error))
    }
    const raw = c.req.raw
    if (!raw.bodyUsed) {
      const incoming = unreadNodeRequest(c)
      if (incoming) return fromNode(c, handler, incoming)
    }
    const url = publicUrl(raw)
    if (raw.bodyUsed) {
      // c.req.arrayBuffer() caches the exact bytes; c.req.json() and text() do not keep them.
      const cached = (c.req as unknown as { bodyCache?: { arrayBuffer?: Promise<ArrayBuffer> } }).bodyCache?.arrayBuffer
      if (cached) {
        const body = new Uint8Array(await cached)
        return toFetchResponse(await handler.handle({ method: raw.method, url, headers: raw.headers, body }))
      }
      const method = raw.method.toUpperCase()
      if (!handler.methods.includes(method)) {
        return toFetchResponse(await handler.handle({ method, url, headers: raw.headers, body: '' }))
      }
      return toFetchResponse(handler.refuse('body_already_parsed', { message: PARSED_MESSAGE, method }))
    }
    if (url === raw.url) return handler.fetch(raw)
    const init: RequestInit & { duplex: 'half' } = {
      method: raw.method,
      headers: raw.headers,
      body: raw.body,
      signal: raw.signal,
      duplex: 'half',
    }
    return handler.fetch(new Request(url, init))
  }
}
