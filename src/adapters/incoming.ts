import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { WebhookHandler } from '../core/handler.js'
import { NULL_BODY_STATUSES } from '../core/responses.js'
import type { WebhookResponse } from '../types.js'
import { firstValue, publicRequestUrl, type ResolvedAdapterOptions, setupFailure } from './shared.js'

// The Node side shared by the Express, Koa, Fastify, node:http and Next.js Pages Router
// adapters: read the IncomingMessage with a limit, rebuild the URL, write the answer back.
// `raw-body` is loaded on the first body read, not at import: it pulls in `iconv-lite` (about
// 480 kB minified of decoder tables, never used here since the body is never decoded), and a
// dynamic import keeps it out of the Edge bundles that share this module through
// webhook-inbox/next, and lets bundlers that split code put it in a chunk of its own.

type GetRawBody = typeof import('raw-body')
let rawBody: Promise<GetRawBody> | undefined

function loadRawBody(): Promise<GetRawBody> {
  rawBody ??= import('raw-body').then((module) => module.default)
  return rawBody
}

/**
 * Starts loading the body reader when a Node adapter is created, not at the first request: a
 * client that half-closes its side right after the body (`socket.end(request)`) would otherwise
 * see node:http abort that first request while the import is still pending. A failure to load
 * stays in the cached promise and answers the first delivery 500.
 */
export function preloadBodyReader(): void {
  loadRawBody().catch(() => {})
}

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
  /** Something read and parsed the stream first; `message` says how to mount the route instead. */
  | { kind: 'parsed'; message: string }

// After a 413 the rest of the body is read and dropped (a lingering close, RFC 9112 §9.6) so
// the provider can read the answer instead of getting a reset, but never for longer than this.
const LINGER_MS = 5_000

/** True when something already read from the request stream (a body parser, `req.on('data')`). */
export function streamConsumed(req: NodeRequest): boolean {
  return req._body === true || req.readableDidRead === true || req.readableEnded === true
}

/** The full public URL of a Node request (see {@link publicRequestUrl}). */
export function nodeRequestUrl(req: NodeRequest, options: ResolvedAdapterOptions, target?: string): string {
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined
  return publicRequestUrl(
    {
      protocol: socket?.encrypted ? 'https' : 'http',
      host: firstValue(req.headers.host) ?? req.authority,
      target: target ?? req.originalUrl ?? req.url ?? '/',
      forwardedProto: options.trustProxy ? firstValue(req.headers['x-forwarded-proto']) : undefined,
      forwardedHost: options.trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined,
    },
    options,
  )
}

function nodeHeaders(req: NodeRequest): IncomingHttpHeaders | NodeJS.Dict<string[]> {
  // Every value of a repeated header, joined by the core like Fetch `Headers` joins them;
  // `req.headers` keeps only the first of some (content-type, user-agent, ...).
  return req.headersDistinct ?? req.headers
}

/** What {@link answerNodeRequest} produced. `undefined` when the client went away mid-body. */
export interface NodeAnswer {
  response: WebhookResponse
  /** The body was not read to its end: the rest must be drained after answering. */
  unread: boolean
}

/**
 * Turns a Node request into the core's answer: a non-accepted method is answered without
 * reading the body, a body over `maxBodyBytes` is cut off while streaming, a consumed stream
 * is refused with `body_already_parsed`.
 */
export async function answerNodeRequest(
  handler: WebhookHandler<unknown>,
  req: NodeRequest,
  source: BodySource,
  url: string,
): Promise<NodeAnswer | undefined> {
  const method = String(req.method ?? '').toUpperCase()
  const headers = nodeHeaders(req)
  const unread = source.kind === 'stream' && !req.readableEnded
  if (!handler.methods.includes(method)) {
    return { response: await handler.handle({ method, url, headers, body: '' }), unread }
  }
  if (source.kind === 'parsed') {
    return { response: handler.refuse('body_already_parsed', { message: source.message, method }), unread: false }
  }
  if (source.kind === 'bytes') {
    return { response: await handler.handle({ method, url, headers, body: source.bytes }), unread: false }
  }
  if (source.kind === 'too-large') return { response: handler.refuse('body_too_large', { method }), unread: true }
  const read = await readNodeBody(req, handler.settings.maxBodyBytes)
  if (read.ok) return { response: await handler.handle({ method, url, headers, body: read.bytes }), unread: false }
  if (read.reason === 'aborted') return undefined
  if (read.reason === 'too-large') return { response: handler.refuse('body_too_large', { method }), unread: true }
  const message =
    'the request stream was already read before the webhook handler; mount the webhook route before any body parser.'
  return { response: handler.refuse('body_already_parsed', { message, method }), unread: false }
}

/** What {@link readNodeBody} read. */
export type NodeBodyResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large' | 'aborted' | 'consumed' }

/**
 * Reads a Node body stream with `raw-body`, refusing a declared `Content-Length` over `limit`
 * up front and cutting the stream off as soon as more than `limit` bytes arrived.
 */
export async function readNodeBody(
  stream: Readable & { headers?: IncomingHttpHeaders },
  limit: number,
): Promise<NodeBodyResult> {
  const declared = Number(firstValue(stream.headers?.['content-length']) ?? Number.NaN)
  if (declared > limit) return { ok: false, reason: 'too-large' }
  // Loaded outside the try: a failure to load it is ours (answered 500), not the client's.
  const getRawBody = await loadRawBody()
  try {
    return { ok: true, bytes: await getRawBody(stream, { limit }) }
  } catch (error) {
    const type = (error as { type?: unknown } | null)?.type
    if (type === 'entity.too.large') return { ok: false, reason: 'too-large' }
    // raw-body types its own errors; an untyped one is the stream's (a reset or a truncated
    // chunked body): the client is gone either way.
    if (type === 'request.aborted' || type === undefined || stream.destroyed) return { ok: false, reason: 'aborted' }
    if (type === 'stream.not.readable' || type === 'stream.encoding.set') return { ok: false, reason: 'consumed' }
    throw error
  }
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
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
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
  return { kind: 'stream' }
}

/**
 * The whole Connect-style bridge (Express, Connect, node:http): reads, answers, writes, drains.
 * `next` receives errors that are not the request's fault when the framework has one.
 */
export async function serveConnect(
  adapter: string,
  getHandler: () => WebhookHandler<unknown>,
  options: ResolvedAdapterOptions,
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
    answer = await answerNodeRequest(handler, req, connectBodySource(req, parsedMessage), nodeRequestUrl(req, options))
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
