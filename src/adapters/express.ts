import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { serveConnect } from './incoming.js'
import { type HandlerSource, handlerSource, type NodeAdapterOptions, resolveNodeAdapterOptions } from './shared.js'

export type { AdapterOptions, HandlerSource, NodeAdapterOptions } from './shared.js'

const PARSED_MESSAGE =
  "the request body was already parsed by a body parser (express.json(), express.urlencoded() or express.text()), so its raw bytes are gone and the signature cannot be checked. Mount the webhook route before app.use(express.json()), or give it its own raw parser: app.post(path, express.raw({ type: '*/*' }), toExpress(handler))."

/**
 * Mounts a webhook handler on Express 4 or 5. It reads the raw body itself (cut off at
 * `maxBodyBytes` while streaming, 408 when it does not arrive within `bodyTimeoutMs`), or takes the `Buffer` left by `express.raw()`; a body
 * already parsed by `express.json()` is refused with `body_already_parsed`, never re-serialised.
 * Give it the handler, or a function that creates it on the first request ({@link HandlerSource}).
 *
 * @example
 * import express from 'express'
 * import { toExpress } from 'webhook-inbox/express'
 *
 * const app = express()
 * // before app.use(express.json()), so the raw bytes reach the handler
 * app.post('/webhooks/stripe', toExpress(handler))
 * app.use(express.json())
 */
export function toExpress(handler: HandlerSource, options?: NodeAdapterOptions): RequestHandler {
  const resolved = resolveNodeAdapterOptions('toExpress', options)
  const getHandler = handlerSource('toExpress', handler)
  return (req: Request, res: Response, next: NextFunction): void => {
    void serveConnect('toExpress', getHandler, resolved, req, res, PARSED_MESSAGE, next)
  }
}
