import type { WebhookHandler } from '../core/handler.js'
import { refused } from '../core/responses.js'
import { configInvariant, isWebhookError, WebhookError } from '../errors.js'
import type { WebhookResponse } from '../types.js'

/**
 * How an adapter rebuilds the full public URL the provider called. Providers that sign the URL
 * (Twilio, Square, HubSpot v3) only verify when it matches, byte for byte, the URL they were
 * configured with, so behind a proxy or a tunnel tell the adapter what the public URL is.
 *
 * @example
 * import express from 'express'
 * import { toExpress } from 'webhook-inbox/express'
 *
 * const app = express()
 * app.post('/webhooks/twilio', toExpress(handler, { publicUrl: 'https://api.example.com' }))
 * app.post('/webhooks/square', toExpress(handler, { trustProxy: true }))
 */
export interface AdapterOptions {
  /**
   * Take the scheme and host from the first value of `X-Forwarded-Proto` and `X-Forwarded-Host`.
   * Turn it on only behind a proxy that sets (or overwrites) both headers: anyone can send them.
   * @default false
   */
  trustProxy?: boolean
  /**
   * The public base URL, given outright (for example `'https://api.example.com'`): the
   * request's path and query are appended to it. Wins over `trustProxy`. A path in it is kept
   * as a prefix, for a proxy that strips one (`'https://example.com/api'`).
   * @default undefined (the URL is rebuilt from the request)
   */
  publicUrl?: string
}

/**
 * Options of the adapters that read a Node request (`toNodeListener`, `toExpress`, `toKoa`,
 * `toFastify`, `toNextPagesRoute`, and `toHono` on `@hono/node-server`): the URL options, and
 * how long the body may take to arrive.
 *
 * @example
 * import { toNodeListener } from 'webhook-inbox/node'
 *
 * // a body not fully received 5 s after the request began is answered 408, and the connection closed
 * const listener = toNodeListener(handler, { bodyTimeoutMs: 5_000 })
 */
export interface NodeAdapterOptions extends AdapterOptions {
  /**
   * How long the body may take to arrive, in milliseconds, counted from when the adapter starts
   * reading it. A body not complete by then (a sender that declares a `Content-Length` and
   * stalls, or trickles bytes) is answered 408 `body_timeout` (reported to `onRejected`), the
   * connection is closed and what was read is dropped. Without it such a request is held until
   * Node's `server.requestTimeout` (300 s by default). Providers send their bodies in
   * milliseconds; a steady sender that finishes within the time is unaffected.
   * @default 10000
   */
  bodyTimeoutMs?: number
}

/** The body timeout when none is given. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000

/** The parts of a request the public URL is rebuilt from. */
export interface UrlParts {
  /** `'https'` when the connection itself is TLS. */
  protocol: 'http' | 'https'
  /** The `Host` header (or HTTP/2 `:authority`). */
  host: string | undefined
  /** The request target as received: path and query, or an absolute URL. */
  target: string
  /** First values of the forwarding headers, read only when `trustProxy` is on. */
  forwardedProto?: string | undefined
  forwardedHost?: string | undefined
}

/** Resolved, validated adapter options: what every adapter keeps after its factory ran. */
export interface ResolvedAdapterOptions {
  trustProxy: boolean
  /** `publicUrl` without a trailing slash, or `undefined`. */
  base: string | undefined
}

// Host names as RFC 3986 reg-name or IP literal, with an optional port; anything else in a
// forwarded header (a path, userinfo, spaces) is ignored rather than spliced into the URL.
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::\d{1,5})?$/i

/** {@link ResolvedAdapterOptions} of an adapter that reads a Node request. */
export interface ResolvedNodeAdapterOptions extends ResolvedAdapterOptions {
  bodyTimeoutMs: number
}

// The last host found valid: nearly every request to one server carries the same Host, and
// parsing it as a URL is most of the cost of rebuilding the URL. Validity depends on the
// string alone, so remembering it is safe whatever the requests say.
let lastValidHost: string | undefined

// The pattern alone lets through hosts the WHATWG URL parser refuses (`a:99999`, `a%zz`,
// `[:::]`); adapters that build a Fetch `Request` from the URL would then throw.
function validHost(host: string | undefined): host is string {
  if (!host) return false
  if (host === lastValidHost) return true
  if (!HOST.test(host)) return false
  try {
    new URL(`http://${host}/`)
  } catch {
    return false
  }
  lastValidHost = host
  return true
}

/**
 * Checks adapter options at factory time.
 * @param adapter the factory name for the message, e.g. `toExpress`
 */
export function resolveAdapterOptions(adapter: string, options: AdapterOptions = {}): ResolvedAdapterOptions {
  configInvariant(
    typeof options === 'object' && options !== null,
    `${adapter}: the second argument is an options object such as { trustProxy: true }.`,
  )
  const { publicUrl, trustProxy = false } = options
  configInvariant(
    typeof trustProxy === 'boolean',
    `${adapter}: \`trustProxy\` is true or false (true only behind a proxy that sets X-Forwarded-Proto and X-Forwarded-Host).`,
  )
  let base: string | undefined
  if (publicUrl !== undefined) {
    let parsed: URL | undefined
    try {
      parsed = new URL(publicUrl)
    } catch {
      parsed = undefined
    }
    configInvariant(
      parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.search && !parsed.hash,
      `${adapter}: \`publicUrl\` must be an absolute http(s) base URL without query or fragment, such as 'https://api.example.com'.`,
    )
    base = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '')
  }
  return { trustProxy, base }
}

/**
 * Checks the options of an adapter that reads a Node request ({@link NodeAdapterOptions}).
 * @param adapter the factory name for the message, e.g. `toExpress`
 */
export function resolveNodeAdapterOptions(
  adapter: string,
  options: NodeAdapterOptions = {},
): ResolvedNodeAdapterOptions {
  const resolved = resolveAdapterOptions(adapter, options)
  const { bodyTimeoutMs = DEFAULT_BODY_TIMEOUT_MS } = options
  configInvariant(
    typeof bodyTimeoutMs === 'number' && bodyTimeoutMs > 0 && bodyTimeoutMs <= 2_147_483_647,
    `${adapter}: \`bodyTimeoutMs\` is a number of milliseconds above 0 (at most 2147483647), such as 10000.`,
  )
  return { ...resolved, bodyTimeoutMs }
}

/** The first value of a header that may be repeated or comma-joined. */
export function firstValue(value: string | readonly string[] | null | undefined): string | undefined {
  const joined = typeof value === 'string' ? value : value?.[0]
  if (joined === undefined || joined === null) return undefined
  const comma = joined.indexOf(',')
  const first = (comma === -1 ? joined : joined.slice(0, comma)).trim()
  return first || undefined
}

/**
 * Rebuilds the full public URL of a request: `publicUrl` + path when given; else scheme and
 * host from the forwarding headers when `trustProxy` is on; else from the connection and `Host`.
 * The path and query are kept exactly as received, since URL-signing providers sign them so.
 */
export function publicRequestUrl(parts: UrlParts, options: ResolvedAdapterOptions): string {
  let { protocol, host } = parts
  let path = parts.target || '/'
  if (!path.startsWith('/')) {
    // absolute-form request target (RFC 9112 §3.2.2): its authority replaces Host.
    const match = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(path)
    if (match) {
      protocol = (match[1] as string).toLowerCase() as 'http' | 'https'
      host = match[2] || host
      path = match[3] || '/'
      if (!path.startsWith('/')) path = `/${path}`
    } else {
      path = `/${path}`
    }
  }
  if (options.base !== undefined) return options.base + path
  if (options.trustProxy) {
    const proto = parts.forwardedProto?.toLowerCase()
    if (proto === 'http' || proto === 'https') protocol = proto
    if (validHost(parts.forwardedHost)) host = parts.forwardedHost
  }
  if (!validHost(host)) host = 'localhost'
  return `${protocol}://${host}${path}`
}

/**
 * What every adapter takes: the handler, or a function that creates it on the first request.
 * The lazy form keeps `createWebhookHandler` (and the secrets it checks) out of module
 * evaluation, so `next build`, a Docker build or a test that imports the route works without
 * the runtime secrets.
 *
 * @example
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { toNextRoute } from 'webhook-inbox/next'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * export const POST = toNextRoute(() =>
 *   createWebhookHandler({
 *     provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *     enqueue: async (event) => { await queue.add(event.type, event) },
 *   }),
 * )
 */
export type HandlerSource = WebhookHandler<unknown> | (() => WebhookHandler<unknown>)

function isHandler(value: unknown): value is WebhookHandler<unknown> {
  const candidate = value as Partial<WebhookHandler<unknown>> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.handle === 'function' &&
    typeof candidate.fetch === 'function' &&
    typeof candidate.refuse === 'function'
  )
}

function handlerHint(adapter: string): string {
  return `${adapter}: pass the handler returned by createWebhookHandler from webhook-inbox, or a function that returns it, e.g. \`${adapter}(() => createWebhookHandler({ provider, enqueue }))\`.`
}

/**
 * Turns what an adapter was given into a getter. A handler is checked now; a factory is
 * called on the first request and its handler kept. A factory that throws (a secret not set
 * yet) is called again on the next request, so a fixed environment needs no restart.
 */
export function handlerSource(adapter: string, source: HandlerSource): () => WebhookHandler<unknown> {
  if (typeof source !== 'function') {
    configInvariant(isHandler(source), handlerHint(adapter))
    return () => source
  }
  let built: WebhookHandler<unknown> | undefined
  return () => {
    if (built) return built
    const handler = source()
    configInvariant(isHandler(handler), handlerHint(adapter))
    built = handler
    return built
  }
}

const reportedSetupFailures = new Set<string>()

/**
 * The answer when a lazy handler could not be created: 500 with the setup error's code and
 * message (a `WebhookConfigError` names what to fix and never holds a secret), logged once
 * per message with `console.error`, since there is no handler whose logger could say it.
 */
export function setupFailure(adapter: string, error: unknown): WebhookResponse {
  const known = isWebhookError(error)
    ? error
    : new WebhookError('internal_error', `${adapter}: the handler factory threw; see the server log.`)
  const line = `[webhook-inbox] ${adapter}: the webhook handler could not be created, so this delivery was answered 500 (the provider retries). ${known.message}`
  if (!reportedSetupFailures.has(line)) {
    reportedSetupFailures.add(line)
    console.error(line, ...(known === error ? [] : [error]))
  }
  return refused(known)
}
