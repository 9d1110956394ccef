import type { Context, Middleware } from 'koa'
import type { WebhookHandler } from '../core/handler.js'
import { answerNodeRequest, type BodySource, drainRequest, nodeRequestUrl, streamConsumed } from './incoming.js'
import { type AdapterOptions, resolveAdapterOptions } from './shared.js'

export type { AdapterOptions } from './shared.js'

const PARSED_MESSAGE =
  'the request body was already parsed by a body parser that did not keep ctx.request.rawBody, so its raw bytes are gone and the signature cannot be checked. Mount the webhook route before the body parser, or use @koa/bodyparser or koa-bodyparser (they keep ctx.request.rawBody).'

function koaBodySource(ctx: Context): BodySource {
  // @koa/bodyparser and koa-bodyparser keep the text they parsed; for bodies that are not
  // UTF-8 text it is lossy, which is why mounting before the parser is the first advice.
  const raw = (ctx.request as { rawBody?: unknown }).rawBody
  if (typeof raw === 'string' || raw instanceof Uint8Array) return { kind: 'bytes', bytes: raw }
  if (streamConsumed(ctx.req)) return { kind: 'parsed', message: PARSED_MESSAGE }
  return { kind: 'stream' }
}

/**
 * Koa 2 and 3 middleware for a webhook handler. Reads the raw body itself (cut off at
 * `maxBodyBytes` while streaming), or takes `ctx.request.rawBody` kept by `@koa/bodyparser` /
 * `koa-bodyparser`; a body parsed without its raw text is refused with `body_already_parsed`.
 *
 * @example
 * import Koa from 'koa'
 * import { toKoa } from 'webhook-inbox/koa'
 *
 * const webhook = toKoa(handler)
 * const app = new Koa()
 * app.use((ctx, next) => (ctx.path === '/webhooks/github' ? webhook(ctx, next) : next()))
 */
export function toKoa(handler: WebhookHandler<unknown>, options?: AdapterOptions): Middleware {
  const resolved = resolveAdapterOptions('toKoa', options)
  return async (ctx: Context): Promise<void> => {
    const url = nodeRequestUrl(ctx.req, resolved, ctx.originalUrl)
    const answer = await answerNodeRequest(handler, ctx.req, koaBodySource(ctx), url)
    if (!answer) {
      // The client went away mid-body: there is nobody to answer.
      ctx.respond = false
      ctx.res.end()
      return
    }
    if (answer.unread) drainRequest(ctx.req)
    const { response } = answer
    ctx.status = response.status
    ctx.set(response.headers)
    ctx.body = response.body
  }
}
