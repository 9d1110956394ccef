import type { WebhookError } from '../errors.js'
import type { WebhookResponse } from '../types.js'

// The HTTP answers of DESIGN.md, in one module. Every status the handler sends comes from here.

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

function json(status: number, body: unknown, headers: Record<string, string> = {}): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) }
}

// The two answers of every accepted delivery, built without spreading the headers or serialising
// an object: the same bytes as `json(200, { ok: true, id })`, for a fraction of the work.
function acceptedJson(prefix: string, id: string): WebhookResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_HEADERS['content-type'], 'cache-control': JSON_HEADERS['cache-control'] },
    body: `${prefix}${JSON.stringify(id)}}`,
  }
}

/** 200: accepted and enqueued. */
export function accepted(id: string): WebhookResponse {
  return acceptedJson('{"ok":true,"id":', id)
}

/** 200: already processed, so the provider stops retrying. */
export function duplicate(id: string): WebhookResponse {
  return acceptedJson('{"ok":true,"duplicate":true,"id":', id)
}

/**
 * The status for an id in flight: 409 where the provider retries a 409 (or never retries by
 * itself, so a failure is what lets the user redeliver), else 503, which every retrying provider
 * retries. `undefined` (a custom provider that does not say) is taken as retrying every 4xx.
 */
export function inFlightStatus(retried: readonly (readonly [number, number])[] | undefined): number {
  if (retried === undefined || retried.length === 0) return 409
  return retried.some(([low, high]) => low <= 409 && 409 <= high) ? 409 : 503
}

/** 409 (or 503) + Retry-After: the same id is being processed by another delivery; the provider retries. */
export function inFlight(error: WebhookError, retryAfterSeconds: number): WebhookResponse {
  return json(error.status, { error: error.toJSON() }, { 'retry-after': String(retryAfterSeconds) })
}

/** 405 + Allow. */
export function methodNotAllowed(error: WebhookError, allow: readonly string[]): WebhookResponse {
  return json(error.status, { error: error.toJSON() }, { allow: allow.join(', ') })
}

/** Any other refusal: the error's own status, `{ error: { code, message } }`, never a secret or expected signature. */
export function refused(error: WebhookError): WebhookResponse {
  return json(error.status, { error: error.toJSON() })
}

/** Statuses that must not carry a body (Fetch's `Response` throws if given one). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304])

/** A {@link WebhookResponse} as a Web `Response`. */
export function toFetchResponse(response: WebhookResponse): Response {
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : response.body, {
    status: response.status,
    headers: response.headers,
  })
}
