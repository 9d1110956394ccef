import { isWebhookError, LOG_HINT, type WebhookError } from '../errors.js'
import type { ErrorInfo } from './options.js'

/**
 * Where the handler writes its own log lines: `console`, or any logger with `warn` and
 * `error` taking a message string first (pino, winston, bunyan, a `console`-like object).
 *
 * @example
 * import pino from 'pino'
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: async (event) => { await queue.add(event.type, event) },
 *   logger: pino(),
 * })
 */
export interface WebhookLogger {
  warn(message: string): unknown
  error(message: string): unknown
}

/** What the handler logs; each method is called at most once per kind (see {@link handlerLog}). */
export interface HandlerLog {
  /** A refused delivery: wiring mistakes are logged once each; 401s are counted. */
  rejected(error: WebhookError): void
  /** A failure on the handler's side (what `onError` is told): logged once per phase and code. */
  failed(info: ErrorInfo): void
  /** A setup warning (what `onWarning` is told when it is not set). */
  warn(message: string): void
}

// Refusals that are the server's wiring, not the sender's fault: logged once each.
const WIRING = new Set(['body_already_parsed', 'url_mismatch'])

/** True for the counts a repeated kind is logged at again: 1, 10, 100, 1000, ... */
function milestone(count: number): boolean {
  if (count === 1) return true
  let n = count
  while (n % 10 === 0) n /= 10
  return n === 1
}

function causeText(cause: unknown): string {
  if (cause === undefined) return ''
  // The name and message of the cause (a store driver's or your queue's error), never its
  // properties: those may hold query parameters or the event.
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : typeof cause
  return ` Cause: ${text}`
}

/**
 * The handler's default log. Lines name the provider, the error code and what to do; they never
 * hold a secret, a signature, a header value or the payload. Each kind (an error code, or a
 * phase and code for failures) is logged the first time, then again at its 10th, 100th, 1000th
 * occurrence with the count, so an outage or a wrong secret leaves a few lines, not one per
 * request. Refusals with 401 are only counted: a line at the 10th, 100th, ... says how many,
 * which is what a wrong secret (every delivery refused) or someone probing the URL looks like.
 *
 * `quiet` names the categories a hook the user set already receives (`rejected` with
 * `onRejected`, `failed` with `onError`); with the default logger those are left to the hook.
 */
export function handlerLog(
  provider: string,
  logger: WebhookLogger | false | undefined,
  hooks: { onRejected?: unknown; onError?: unknown },
): HandlerLog {
  const sink = logger === false ? undefined : (logger ?? console)
  const explicit = logger !== undefined && logger !== false
  const counts = new Map<string, number>()
  function count(kind: string): number {
    const next = (counts.get(kind) ?? 0) + 1
    counts.set(kind, next)
    return next
  }
  function write(level: 'warn' | 'error', message: string): void {
    try {
      sink?.[level](message)
    } catch {
      // A logger that throws must not change the answer.
    }
  }
  const logRejections = sink !== undefined && (explicit || !hooks.onRejected)
  const logFailures = sink !== undefined && (explicit || !hooks.onError)
  return {
    rejected(error) {
      if (!logRejections) return
      if (error.status === 401) {
        const n = count('401')
        if (n > 1 && milestone(n)) {
          write(
            'warn',
            `[webhook-inbox] [${provider}] ${n} deliveries refused with 401 so far (latest: ${error.code}). If every delivery is refused, check the secret and that the route gets the raw body; a burst from one source is someone probing the URL.`,
          )
        } else if (n === 1) {
          const hint = (error as { [LOG_HINT]?: string })[LOG_HINT]
          write(
            'warn',
            `${error.message}${hint ? ` ${hint}` : ''} (${error.code}, answered 401; further 401s are counted, not logged one by one)`,
          )
        }
        return
      }
      if (!WIRING.has(error.code) && error.status < 500) return
      const n = count(error.code)
      if (!milestone(n)) return
      write('error', `${error.message} (${error.code}, answered ${error.status}${n > 1 ? `; ${n} times so far` : ''})`)
    },
    failed(info) {
      if (!logFailures) return
      const code = isWebhookError(info.error) ? info.error.code : 'error'
      const n = count(`${info.phase}:${code}`)
      if (!milestone(n)) return
      const error = info.error
      const what = isWebhookError(error)
        ? `${error.message}${causeText((error as { cause?: unknown }).cause)}`
        : `[webhook-inbox] [${provider}] ${phaseText(info.phase)}${causeText(error)}`
      write('error', `${what} (phase ${info.phase}${n > 1 ? `; ${n} times so far` : ''})`)
    },
    warn(message) {
      write('warn', message)
    },
  }
}

function phaseText(phase: ErrorInfo['phase']): string {
  switch (phase) {
    case 'enqueue':
      return "enqueue threw: the delivery was answered 500 and its claim released, so the provider's retry is processed."
    case 'hook':
      return 'a hook (onAccepted, onDuplicate, onRejected, onWarning) threw; the answer was not changed.'
    default:
      return `the ${phase} step failed.`
  }
}
