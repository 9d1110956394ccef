/**
 * Every refusal the library makes is a `WebhookError` with a stable `code` and the HTTP
 * `status` it maps to. Messages start with `[webhook-inbox] [provider]` and never contain a
 * secret, a signature or the payload.
 */

/** Stable error codes. New codes may be added in minor versions; existing ones never change meaning. */
export type WebhookErrorCode =
  // request shape
  | 'method_not_allowed'
  | 'body_too_large'
  | 'body_timeout'
  | 'body_already_parsed'
  // verification
  | 'missing_signature'
  | 'malformed_signature'
  | 'invalid_signature'
  | 'missing_header'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_token'
  | 'invalid_body'
  | 'invalid_payload'
  | 'url_mismatch'
  | 'certificate_error'
  | 'certificate_unavailable'
  // dedupe / delivery
  | 'in_flight'
  | 'store_unavailable'
  | 'store_timeout'
  | 'enqueue_failed'
  | 'enqueue_timeout'
  | 'internal_error'
  // processing (router)
  | 'unrouted_event'
  // setup
  | 'invalid_config'

/** The HTTP status every code maps to. The one table the handler answers from. */
export const ERROR_STATUS: Readonly<Record<WebhookErrorCode, number>> = Object.freeze({
  method_not_allowed: 405,
  body_too_large: 413,
  body_timeout: 408,
  body_already_parsed: 500,
  missing_signature: 401,
  malformed_signature: 401,
  invalid_signature: 401,
  missing_header: 401,
  missing_timestamp: 401,
  malformed_timestamp: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  invalid_token: 401,
  invalid_body: 400,
  invalid_payload: 400,
  url_mismatch: 401,
  certificate_error: 401,
  certificate_unavailable: 503,
  in_flight: 409,
  store_unavailable: 503,
  store_timeout: 503,
  enqueue_failed: 500,
  enqueue_timeout: 503,
  internal_error: 500,
  unrouted_event: 500,
  invalid_config: 500,
})

const BRAND: unique symbol = Symbol.for('webhook-inbox.error') as never

/**
 * Where a refusal keeps advice meant for the server's log only, never for the response: a
 * sentence about the configured secret (that it looks like an API key) would tell whoever sent
 * the request something about the server's configuration.
 */
export const LOG_HINT: unique symbol = Symbol.for('webhook-inbox.log-hint') as never

/** Options shared by every `WebhookError` constructor. */
export interface WebhookErrorOptions {
  /** Provider preset name, shown in the message prefix. */
  provider?: string
  /** Underlying error (kept off the message; never serialised into a response). */
  cause?: unknown
  /** Overrides the status taken from {@link ERROR_STATUS}. */
  status?: number
}

function prefix(provider: string | undefined): string {
  return provider ? `[webhook-inbox] [${provider}] ` : '[webhook-inbox] '
}

/**
 * Base class of every error the library throws or returns.
 *
 * @example
 * import { WebhookError, isWebhookError } from 'webhook-inbox'
 * if (isWebhookError(err)) console.log(err.code, err.status)
 */
export class WebhookError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: WebhookErrorCode
  /** HTTP status this error is answered with. */
  readonly status: number
  /** Provider preset name, when known. */
  readonly provider: string | undefined
  readonly [BRAND] = true

  constructor(code: WebhookErrorCode, message: string, options: WebhookErrorOptions = {}) {
    super(prefix(options.provider) + message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WebhookError'
    this.code = code
    this.status = options.status ?? ERROR_STATUS[code]
    this.provider = options.provider
  }

  /** A JSON body that is safe to send to the caller: code and message, nothing else. */
  toJSON(): { code: WebhookErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

/** The request failed verification: missing, malformed or wrong signature, stale timestamp, bad body. */
export class WebhookVerificationError extends WebhookError {
  constructor(code: WebhookErrorCode, message: string, options?: WebhookErrorOptions) {
    super(code, message, options)
    this.name = 'WebhookVerificationError'
  }
}

/** The dedupe store could not be reached, timed out, or refused an operation. */
export class WebhookStoreError extends WebhookError {
  constructor(code: 'store_unavailable' | 'store_timeout', message: string, options?: WebhookErrorOptions) {
    super(code, message, options)
    this.name = 'WebhookStoreError'
  }
}

/** A setup mistake, thrown at factory time (never for anything the network sent). */
export class WebhookConfigError extends WebhookError {
  constructor(message: string, options?: WebhookErrorOptions) {
    super('invalid_config', message, options)
    this.name = 'WebhookConfigError'
  }
}

/**
 * Brand check that works across the ESM and CJS copies of this package, where
 * `instanceof` does not.
 *
 * @example
 * import { isWebhookError } from 'webhook-inbox'
 * try { await verify() } catch (err) { if (isWebhookError(err)) console.log(err.code) }
 */
export function isWebhookError(value: unknown): value is WebhookError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/**
 * `tiny-invariant`-style setup check that throws a {@link WebhookConfigError}.
 * Kept here so every factory reports the same error type with a message that says what to fix.
 */
export function configInvariant(condition: unknown, message: string, provider?: string): asserts condition {
  if (!condition) throw new WebhookConfigError(message, { provider })
}
