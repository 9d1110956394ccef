import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { WebhookHandler } from '../core/handler.js'
import { answerNodeRequest, type BodySource, drainRequest, nodeRequestUrl, readNodeBody } from './incoming.js'
import { type AdapterOptions, resolveAdapterOptions } from './shared.js'

export type { AdapterOptions } from './shared.js'

/**
 * Options of {@link toFastify}: the URL options every adapter takes, and the route's path.
 *
 * @example
 * import { toFastify } from 'webhook-inbox/fastify'
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

/**
 * A Fastify 4/5 plugin that serves a webhook handler. It registers its own raw body parser for
 * every content type inside its own encapsulated scope only, so the rest of the app keeps its
 * JSON parsing; the body is cut off at `maxBodyBytes` while streaming.
 *
 * @example
 * import Fastify from 'fastify'
 * import { toFastify } from 'webhook-inbox/fastify'
 *
 * const app = Fastify()
 * await app.register(toFastify(handler), { prefix: '/webhooks/stripe' })
 */
export function toFastify(handler: WebhookHandler<unknown>, options: FastifyAdapterOptions = {}): FastifyPluginAsync {
  const { path = '/', ...urlOptions } = options
  const resolved = resolveAdapterOptions('toFastify', urlOptions)
  const limit = handler.settings.maxBodyBytes

  async function route(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = request.body as BodySource | undefined
    const source: BodySource = body ?? { kind: 'bytes', bytes: '' }
    const answer = await answerNodeRequest(handler, request.raw, source, nodeRequestUrl(request.raw, resolved))
    if (!answer) return
    if (answer.unread) drainRequest(request.raw)
    reply.code(answer.response.status).headers(answer.response.headers).send(answer.response.body)
  }

  // Not wrapped with fastify-plugin on purpose: the parsers below stay inside this scope.
  return async function webhookInbox(instance: FastifyInstance): Promise<void> {
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser(
      '*',
      async (_request: FastifyRequest, payload: IncomingMessage): Promise<BodySource> => {
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
