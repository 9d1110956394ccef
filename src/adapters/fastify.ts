import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { WebhookHandler } from '../core/handler.js'
import type { WebhookResponse } from '../types.js'
import {
  answerNodeRequest,
  type BodySource,
  drainRequest,
  nodeRequestUrl,
  preloadBodyReader,
  readNodeBody,
} from './incoming.js'
import {
  type AdapterOptions,
  type HandlerSource,
  handlerSource,
  resolveAdapterOptions,
  setupFailure,
} from './shared.js'

export type { AdapterOptions, HandlerSource } from './shared.js'

/**
 * Options of {@link toFastify}: the URL options every adapter takes, and the route's path.
 *
 * @example
 * import Fastify from 'fastify'
 * import { toFastify } from 'webhook-inbox/fastify'
 *
 * const app = Fastify()
 * await app.register(toFastify(handler, { path: '/stripe', trustProxy: true }), { prefix: '/webhooks' })
 */
export interface FastifyAdapterOptions extends AdapterOptions {
  /** The route's path inside the plugin's scope (after the `prefix` given to `register`). @default '/' */
  path?: string
}

const PARSED_MESSAGE =
  'the request stream was already read by a preParsing or preValidation hook, so its raw bytes are gone; register the webhook plugin outside the scope of that hook.'

// Every method is routed to the handler, so the core answers 405 + Allow itself.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

function send(reply: FastifyReply, response: WebhookResponse): void {
  reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * A Fastify 4/5 plugin that serves a webhook handler. It registers its own raw body parser for
 * every content type inside its own encapsulated scope only, so the rest of the app keeps its
 * JSON parsing; the body is cut off at `maxBodyBytes` while streaming. Give it the handler, or
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
  const { path = '/', ...urlOptions } = options
  const resolved = resolveAdapterOptions('toFastify', urlOptions)
  preloadBodyReader()
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
    const source: BodySource = body ?? { kind: 'bytes', bytes: '' }
    const answer = await answerNodeRequest(built, request.raw, source, nodeRequestUrl(request.raw, resolved))
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
          return { kind: 'too-large' }
        }
        const read = await readNodeBody(payload, limit)
        if (read.ok) return { kind: 'bytes', bytes: read.bytes }
        if (read.reason === 'too-large') return { kind: 'too-large' }
        if (read.reason === 'consumed') return { kind: 'parsed', message: PARSED_MESSAGE }
        // The client went away mid-body; Fastify drops the answer to a closed request.
        throw new Error('the request was aborted while its body was read')
      },
    )
    instance.route({ method: METHODS, url: path, handler: route, exposeHeadRoute: false })
  }
}
