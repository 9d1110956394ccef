import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { WebhookHandler } from '../core/handler.js'
import type { WebhookResponse } from '../types.js'
import { answerNodeRequest, type BodySource, drainRequest, readNodeBody } from './incoming.js'
import {
  type HandlerSource,
  handlerSource,
  type NodeAdapterOptions,
  resolveNodeAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

/**
 * Options of {@link toFastify}: the options of every Node adapter, and the route's path.
 *
 * @example
 * import Fastify from 'fastify'
 * import { toFastify } from 'webhook-inbox/fastify'
 *
 * const app = Fastify()
 * await app.register(toFastify(handler, { path: '/stripe', trustProxy: true }), { prefix: '/webhooks' })
 */
export interface FastifyAdapterOptions extends NodeAdapterOptions {
  /** The route's path inside the plugin's scope (after the `prefix` given to `register`). @default '/' */
  path?: string
}

const PARSED_MESSAGE =
  'the request stream was already read by a preParsing or preValidation hook, so its raw bytes are gone; register the webhook plugin outside the scope of that hook.'

const PARSED: BodySource = Object.freeze({ kind: 'parsed', message: PARSED_MESSAGE })
const TOO_LARGE: BodySource = Object.freeze({ kind: 'too-large' })
const TIMED_OUT: BodySource = Object.freeze({ kind: 'timeout' })
// A request without a body (Fastify runs no content-type parser for it).
const NO_BODY: BodySource = Object.freeze({ kind: 'bytes', bytes: '' })

// Every method is routed to the handler, so the core answers 405 + Allow itself.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

function send(reply: FastifyReply, response: WebhookResponse): void {
  reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * A Fastify 4/5 plugin that serves a webhook handler. It registers its own raw body parser for
 * every content type inside its own encapsulated scope only, so the rest of the app keeps its
 * JSON parsing; the body is cut off at `maxBodyBytes` while streaming, and answered 408 when it
 * does not arrive within `bodyTimeoutMs`. Give it the handler, or
 * a function that creates it on the first request ({@link HandlerSource}).
 *
 * @example
 * import Fastify from 'fastify'
 * import { toFastify } from 'webhook-inbox/fastify'
 *
 * const app = Fastify()
 * await app.register(toFastify(handler), { prefix: '/webhooks/stripe' })
 */
export function toFastify(handler: HandlerSource, options: FastifyAdapterOptions = {}): FastifyPluginAsync {
  const { path = '/', ...nodeOptions } = options
  const resolved = resolveNodeAdapterOptions('toFastify', nodeOptions)
  const getHandler = handlerSource('toFastify', handler)

  async function route(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let built: WebhookHandler<unknown>
    try {
      built = getHandler()
    } catch (error) {
      drainRequest(request.raw)
      send(reply, setupFailure('toFastify', error))
      return
    }
    const body = request.body as BodySource | undefined
    const answer = await answerNodeRequest(built, request.raw, body ?? NO_BODY, resolved)
    if (!answer) return
    if (answer.unread) drainRequest(request.raw)
    send(reply, answer.response)
  }

  // Not wrapped with fastify-plugin on purpose: the parsers below stay inside this scope.
  return async function webhookInbox(instance: FastifyInstance): Promise<void> {
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser(
      '*',
      async (_request: FastifyRequest, payload: IncomingMessage): Promise<BodySource> => {
        let limit: number
        try {
          limit = getHandler().settings.maxBodyBytes
        } catch {
          // The route answers the setup failure; the body is drained there.
          return TOO_LARGE
        }
        const read = await readNodeBody(payload, limit, resolved.bodyTimeoutMs)
        if (read.ok) return { kind: 'bytes', bytes: read.bytes }
        if (read.reason === 'too-large') return TOO_LARGE
        if (read.reason === 'timeout') return TIMED_OUT
        if (read.reason === 'consumed') return PARSED
        // The client went away mid-body; Fastify drops the answer to a closed request.
        throw new Error('the request was aborted while its body was read')
      },
    )
    instance.route({ method: METHODS, url: path, handler: route, exposeHeadRoute: false })
  }
}
