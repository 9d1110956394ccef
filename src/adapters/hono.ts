import type { Context, Handler } from 'hono'
import type { WebhookHandler } from '../core/handler.js'
import { toFetchResponse } from '../core/responses.js'
import {
  type AdapterOptions,
  firstValue,
  type HandlerSource,
  handlerSource,
  publicRequestUrl,
  resolveAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource } from './shared.js'

const PARSED_MESSAGE =
  'the request body was already read as JSON, text or form data before the webhook handler (c.req.json(), a validator), so its raw bytes are gone. Register the webhook route before that middleware, or read it with c.req.arrayBuffer() only.'

/**
 * A Hono handler for a webhook handler, on every runtime Hono runs on (Node with
 * `@hono/node-server`, Cloudflare Workers, Vercel Edge, Deno, Bun). The body limit is the
 * core's, enforced while streaming. Edge-safe: no `node:` import. Give it the handler, or a
 * function that creates it on the first request ({@link HandlerSource}).
 *
 * @example
 * import { Hono } from 'hono'
 * import { toHono } from 'webhook-inbox/hono'
 *
 * const app = new Hono()
 * app.post('/webhooks/stripe', toHono(handler))
 */
export function toHono(source: HandlerSource, options?: AdapterOptions): Handler {
  const resolved = resolveAdapterOptions('toHono', options)
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

  return async (c: Context): Promise<Response> => {
    let handler: WebhookHandler<unknown>
    try {
      handler = getHandler()
    } catch (error) {
      return toFetchResponse(setupFailure('toHono', error))
    }
    const raw = c.req.raw
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
