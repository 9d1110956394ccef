import type { IncomingMessage, ServerResponse } from 'node:http'
import { serveConnect } from './incoming.js'
import { type HandlerSource, handlerSource, type NodeAdapterOptions, resolveNodeAdapterOptions } from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

const PARSED_MESSAGE =
  'the request body was already read or parsed by earlier middleware, so its raw bytes are gone and the signature cannot be checked. Call the webhook listener before any body parser.'

/**
 * A `node:http` / `node:https` request listener that also works as Connect-style middleware.
 *
 * @example
 * import express from 'express'
 * import { type NodeListener, toNodeListener } from 'webhook-inbox/node'
 *
 * const listener: NodeListener = toNodeListener(handler)
 * express().use('/webhooks/github', listener) // any Connect-style app
 */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

/**
 * A request listener for `node:http` and `node:https` servers, also usable as Connect-style
 * middleware. Reads the raw body (cut off at `maxBodyBytes` while streaming, answered 408 when it
 * does not arrive within `bodyTimeoutMs`) and writes the core's answer back; a `Buffer` left in `req.body` by a raw body parser is used as it is.
 * Give it the handler, or a function that creates it on the first request ({@link HandlerSource}).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { toNodeListener } from 'webhook-inbox/node'
 *
 * createServer(toNodeListener(handler)).listen(3000)
 */
export function toNodeListener(handler: HandlerSource, options?: NodeAdapterOptions): NodeListener {
  const resolved = resolveNodeAdapterOptions('toNodeListener', options)
  const getHandler = handlerSource('toNodeListener', handler)
  return (req, res, next) => {
    void serveConnect('toNodeListener', getHandler, resolved, req, res, PARSED_MESSAGE, next)
  }
}
