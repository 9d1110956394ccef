import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WebhookHandler } from '../core/handler.js'
import { NULL_BODY_STATUSES } from '../core/responses.js'
import { normalizedHeadersFromRaw } from '../request.js'
import type { WebhookResponse } from '../types.js'
import { readNodeBody } from './body-reader.js'
import { firstValue, publicRequestUrl, type ResolvedNodeAdapterOptions, setupFailure } from './shared.js'

export { type NodeBodyResult, readNodeBody } from './body-reader.js'

// The Node side shared by the Express, Koa, Fastify, node:http, Next.js Pages Router and Hono
// (on @hono/node-server) adapters: read the IncomingMessage within its limits, rebuild the URL,
// write the answer back. No `node:` module is loaded at run time, so the Edge bundles that share
// this module through webhook-inbox/next and webhook-inbox/hono stay Edge-safe.

/** A Node request as the frameworks hand it over (`IncomingMessage`, or the HTTP/2 compat request). */
export type NodeRequest = IncomingMessage & {
  /** Express and Connect keep the URL before router mounting rewrote `url`. */
  originalUrl?: string
  /** HTTP/2 compat `:authority`. */
  authority?: string
  /** body-parser 1.x marks a consumed stream with it. */
  _body?: boolean
  body?: unknown
}

/** Where the raw body comes from. */
export type BodySource =
  | { kind: 'bytes'; bytes: Uint8Array | string }
  | { kind: 'stream' }
  /** The framework's own reader already cut the body off at the limit (see {@link readNodeBody}). */
  | { kind: 'too-large' }
  /** The framework's own reader gave up on a body that did not arrive within `bodyTimeoutMs`. */
  | { kind: 'timeout' }
  /** Something read and parsed the stream first; `message` says how to mount the route instead. */
  | { kind: 'parsed'; message: string }

// After a 413 the rest of the body is read and dropped (a lingering close, RFC 9112 §9.6) so
// the provider can read the answer instead of getting a reset, but never for longer than this.
const LINGER_MS = 5_000

/** True when something already read from the request stream (a body parser, `req.on('data')`). */
export function streamConsumed(req: NodeRequest): boolean {
  return req._body === true || req.readableDidRead === true || req.readableEnded === true
}

/** Header names to values, repeated headers joined with `, ` (as Fetch `Headers` joins them). */
export type NodeHeaderRecord = Record<string, string>

/**
 * The request's headers in one pass over `rawHeaders`: lower-cased names, every value of a
 * repeated header joined with `, ` in the order received (`req.headers` keeps only the first of
 * some, such as content-type and user-agent). The HTTP/2 compat request keeps its own form.
 */
export function nodeHeaders(req: NodeRequest): NodeHeaderRecord | NodeJS.Dict<string | string[]> {
  const raw = req.rawHeaders
  if (req.httpVersionMajor !== 1 || !Array.isArray(raw)) return req.headersDistinct ?? req.headers
  // The core's own form: handle() and the preset use it as it is instead of copying it again.
  return normalizedHeadersFromRaw(raw) as NodeHeaderRecord
}

/** The full public URL of a Node request (see {@link publicRequestUrl}). */
export function nodeRequestUrl(
  req: NodeRequest,
  options: ResolvedNodeAdapterOptions,
  target?: string,
  headers: NodeJS.Dict<string | string[]> = req.headers,
): string {
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined
  return publicRequestUrl(
    {
      protocol: socket?.encrypted ? 'https' : 'http',
      host: firstValue(headers.host) ?? req.authority,
      target: target ?? req.originalUrl ?? req.url ?? '/',
      forwardedProto: options.trustProxy ? firstValue(headers['x-forwarded-proto']) : undefined,
      forwardedHost: options.trustProxy ? firstValue(headers['x-forwarded-host']) : undefined,
    },
    options,
  )
}

/** What {@link answerNodeRequest} produced. `undefined` when the client went away mid-body. */
export interface NodeAnswer {
  response: WebhookResponse
  /** The body was not read to its end: the rest must be drained after answering. */
  unread: boolean
}

/**
 * The 408 for a body that did not arrive within `bodyTimeoutMs`, reported to `onRejected` like
 * every refusal. It carries `Connection: close`: the rest of that body is never read, so the
 * connection cannot carry another request, and closing it frees the request at once.
 */
export function bodyTimedOut(handler: WebhookHandler<unknown>, method: string, timeoutMs: number): WebhookResponse {
  const message = `the body did not arrive within bodyTimeoutMs (${timeoutMs} ms); the connection is closed.`
  const response = handler.refuse('body_timeout', { message, method })
  return { ...response, headers: { ...response.headers, connection: 'close' } }
}

/**
 * Turns a Node request into the core's answer: a non-accepted method is answered without
 * reading the body, a body over `maxBodyBytes` is cut off while streaming, one that does not
 * arrive within `bodyTimeoutMs` is answered 408, a consumed stream is refused with
 * `body_already_parsed`.
 */
export async function answerNodeRequest(
  handler: WebhookHandler<unknown>,
  req: NodeRequest,
  source: BodySource,
  options: ResolvedNodeAdapterOptions,
  target?: string,
): Promise<NodeAnswer | undefined> {
  const method = typeof req.method === 'string' ? req.method.toUpperCase() : ''
  const headers = nodeHeaders(req)
  const url = nodeRequestUrl(req, options, target, headers)
  if (!handler.methods.includes(method)) {
    const unread = source.kind === 'stream' && !req.readableEnded
    return { response: await handler.handle({ method, url, headers, body: '' }), unread }
  }
  switch (source.kind) {
    case 'bytes':
      return { response: await handler.handle({ method, url, headers, body: source.bytes }), unread: false }
    case 'parsed':
      return { response: handler.refuse('body_already_parsed', { message: source.message, method }), unread: false }
    case 'too-large':
      return { response: handler.refuse('body_too_large', { method }), unread: true }
    case 'timeout':
      return { response: bodyTimedOut(handler, method, options.bodyTimeoutMs), unread: false }
  }
  const read = await readNodeBody(req, handler.settings.maxBodyBytes, options.bodyTimeoutMs)
  if (read.ok) return { response: await handler.handle({ method, url, headers, body: read.bytes }), unread: false }
  switch (read.reason) {
    case 'aborted':
      return undefined
    case 'too-large':
      return { response: handler.refuse('body_too_large', { method }), unread: true }
    case 'timeout':
      return { response: bodyTimedOut(handler, method, options.bodyTimeoutMs), unread: false }
  }
  const message =
    'the request stream was already read before the webhook handler; mount the webhook route before any body parser.'
  return { response: handler.refuse('body_already_parsed', { message, method }), unread: false }
}

/** Reads and drops what is left of a request body, then closes the connection if it never ends. */
export function drainRequest(req: NodeRequest): void {
  if (req.readableEnded || req.destroyed) return
  const timer = setTimeout(() => req.destroy(), LINGER_MS)
  timer.unref?.()
  const stop = () => clearTimeout(timer)
  req.once('end', stop)
  req.once('close', stop)
  req.resume()
}

/** Writes a {@link WebhookResponse} to a Node `ServerResponse` (status, headers, body, length). */
export function writeNodeResponse(res: ServerResponse, response: WebhookResponse): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return
  res.statusCode = response.status
  const { headers } = response
  for (const name of Object.keys(headers)) res.setHeader(name, headers[name] as string)
  if (NULL_BODY_STATUSES.has(response.status)) {
    res.end()
    return
  }
  res.setHeader('content-length', Buffer.byteLength(response.body))
  res.end(response.body)
}

/**
 * The body source of a Connect-style request (Express, Connect, node:http): a `Buffer` left by
 * a raw parser is used as it is; a parsed object or string, or a consumed stream, is refused.
 */
export function connectBodySource(req: NodeRequest, message: string): BodySource {
  const { body } = req
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: body }
  if (streamConsumed(req) || typeof body === 'string') return { kind: 'parsed', message }
  // body-parser 1.x sets `req.body = {}` even when it skipped the request: the stream is untouched.
  if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0)) {
    return { kind: 'parsed', message }
  }
  return STREAM
}

const STREAM: BodySource = Object.freeze({ kind: 'stream' })

/**
 * The whole Connect-style bridge (Express, Connect, node:http, Next.js Pages Router): reads,
 * answers, writes, drains. `next` receives errors that are not the request's fault when the
 * framework has one.
 */
export async function serveConnect(
  adapter: string,
  getHandler: () => WebhookHandler<unknown>,
  options: ResolvedNodeAdapterOptions,
  req: NodeRequest,
  res: ServerResponse,
  parsedMessage: string,
  next?: (error?: unknown) => void,
): Promise<void> {
  let handler: WebhookHandler<unknown>
  try {
    handler = getHandler()
  } catch (error) {
    drainRequest(req)
    writeNodeResponse(res, setupFailure(adapter, error))
    return
  }
  let answer: NodeAnswer | undefined
  try {
    answer = await answerNodeRequest(handler, req, connectBodySource(req, parsedMessage), options)
  } catch (error) {
    if (next) {
      next(error)
      return
    }
    answer = { response: handler.refuse('internal_error', { cause: error }), unread: true }
  }
  if (!answer) return
  if (answer.unread) drainRequest(req)
  writeNodeResponse(res, answer.response)
}
