import type { Context, Middleware } from 'koa'
import type { WebhookHandler } from '../core/handler.js'
import type { WebhookResponse } from '../types.js'
import { answerNodeRequest, type BodySource, drainRequest, streamConsumed } from './incoming.js'
import {
  type HandlerSource,
  handlerSource,
  type NodeAdapterOptions,
  resolveNodeAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

const PARSED_MESSAGE =
  'the request body was already parsed by a body parser that did not keep ctx.request.rawBody, so its raw bytes are gone and the signature cannot be checked. Mount the webhook route before the body parser, or use @koa/bodyparser or koa-bodyparser (they keep ctx.request.rawBody).'

function koaBodySource(ctx: Context): BodySource {
  // @koa/bodyparser and koa-bodyparser keep the text they parsed; for bodies that are not
  // UTF-8 text it is lossy, which is why mounting before the parser is the first advice.
  const raw = (ctx.request as { rawBody?: unknown }).rawBody
  if (typeof raw === 'string' || raw instanceof Uint8Array) return { kind: 'bytes', bytes: raw }
  if (streamConsumed(ctx.req)) return PARSED
  return STREAM
}

const PARSED: BodySource = Object.freeze({ kind: 'parsed', message: PARSED_MESSAGE })
const STREAM: BodySource = Object.freeze({ kind: 'stream' })

function reply(ctx: Context, response: WebhookResponse): void {
  ctx.status = response.status
  ctx.set(response.headers)
  ctx.body = response.body
}

/**
 * Koa 2 and 3 middleware for a webhook handler. Reads the raw body itself (cut off at
 * `maxBodyBytes` while streaming, 408 when it does not arrive within `bodyTimeoutMs`), or takes `ctx.request.rawBody` kept by `@koa/bodyparser` /
 * `koa-bodyparser`; a body parsed without its raw text is refused with `body_already_parsed`.
 * Give it the handler, or a function that creates it on the first request ({@link HandlerSource}).
 *
 * @example
 * import Koa from 'koa'
 * import { toKoa } from 'webhook-inbox/koa'
 *
 * const webhook = toKoa(handler)
 * const app = new Koa()
 * app.use((ctx, next) => (ctx.path === '/webhooks/github' ? webhook(ctx, next) : next()))
 */
export function toKoa(handler: HandlerSource, options?: NodeAdapterOptions): Middleware {
  const resolved = resolveNodeAdapterOptions('toKoa', options)
  const getHandler = handlerSource('toKoa', handler)
  return async (ctx: Context): Promise<void> => {
    let built: WebhookHandler<unknown>
    try {
      built = getHandler()
    } catch (error) {
      drainRequest(ctx.req)
      reply(ctx, setupFailure('toKoa', error))
      return
    }
    const answer = await answerNodeRequest(built, ctx.req, koaBodySource(ctx), resolved, ctx.originalUrl)
    if (!answer) {
      // The client went away mid-body: there is nobody to answer.
      ctx.respond = false
      ctx.res.end()
      return
    }
    if (answer.unread) drainRequest(ctx.req)
    reply(ctx, answer.response)
  }
}
