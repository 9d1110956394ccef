import type { WebhookRequest } from '../types.js'
import { signHmac } from '../verifiers/hmac.js'
import type { HmacAlgorithm, Secret, SignatureEncoding } from '../verifiers/shared.js'
import { type StandardWebhooksSecretFormat, signStandardWebhooks } from '../verifiers/standard-webhooks.js'
import { signTimestampedHeader } from '../verifiers/timestamped.js'

/** Fields every signer takes. */
export interface SignerBase {
  /** The raw body to send: a string, bytes, or an object (serialised with `JSON.stringify`). */
  body: string | Uint8Array | object
  /** @default 'https://example.test/webhooks' */
  url?: string
  /** Extra headers, added after the signed ones (override them to build a forged request). */
  headers?: Record<string, string>
}

const DEFAULT_URL = 'https://example.test/webhooks'

export function rawBody(body: SignerBase['body']): string | Uint8Array {
  return typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
}

export function request(base: SignerBase, body: string | Uint8Array, headers: Record<string, string>): WebhookRequest {
  return {
    method: 'POST',
    url: base.url ?? DEFAULT_URL,
    headers: { 'content-type': 'application/json', ...headers, ...base.headers },
    body,
  }
}

function seconds(now: number | undefined): number {
  return Math.floor((now ?? Date.now()) / 1000)
}

/**
 * A request signed like GitHub signs it.
 *
 * @example
 * import { signGitHubRequest } from 'webhook-inbox/testing'
 * const request = await signGitHubRequest({ secret: 'test', body: { action: 'opened' }, event: 'issues' })
 * const response = await handler.handle(request)
 */
export async function signGitHubRequest(
  options: SignerBase & { secret: Secret; id?: string; event?: string },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-hub-signature-256': await signHmac({ payload: body, secret: options.secret, prefix: 'sha256=' }),
    'x-github-delivery': options.id ?? globalThis.crypto.randomUUID(),
    'x-github-event': options.event ?? 'ping',
    'user-agent': 'GitHub-Hookshot/test',
  })
}

/**
 * A request signed like Stripe signs it (`Stripe-Signature: t=…,v1=…`, one `v1` per secret).
 *
 * @example
 * import { signStripeRequest } from 'webhook-inbox/testing'
 * const request = await signStripeRequest({ secret: 'whsec_test', body: { id: 'evt_1', type: 'invoice.paid' } })
 */
export async function signStripeRequest(
  options: SignerBase & {
    secret: Secret | readonly Secret[]
    /** Signing time, epoch ms. @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const header = await signTimestampedHeader({ payload: body, secret: options.secret, timestamp: seconds(options.now) })
  return request(options, body, {
    'stripe-signature': header,
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  })
}

/**
 * A request signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 *
 * @example
 * import { signStandardWebhooksRequest } from 'webhook-inbox/testing'
 * const request = await signStandardWebhooksRequest({ secret: 'whsec_…', id: 'msg_1', body: { type: 'user.created' } })
 */
export async function signStandardWebhooksRequest(
  options: SignerBase & {
    secret: Secret | readonly Secret[]
    secretFormat?: StandardWebhooksSecretFormat
    id?: string
    /** epoch ms @default Date.now() */
    now?: number
    /** Header prefix. @default 'webhook' */
    headerPrefix?: 'webhook' | 'svix'
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const id = options.id ?? `msg_${globalThis.crypto.randomUUID().replace(/-/g, '')}`
  const timestamp = seconds(options.now)
  const signature = await signStandardWebhooks({
    payload: body,
    id,
    timestamp,
    secret: options.secret,
    secretFormat: options.secretFormat,
  })
  const prefix = options.headerPrefix ?? 'webhook'
  return request(options, body, {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: signature,
  })
}

/** A request for the generic `hmac()` preset. */
export async function signHmacRequest(
  options: SignerBase & {
    secret: Secret
    header: string
    algorithm?: HmacAlgorithm
    encoding?: SignatureEncoding
    prefix?: string
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    [options.header.toLowerCase()]: await signHmac({
      payload: body,
      secret: options.secret,
      algorithm: options.algorithm,
      encoding: options.encoding,
      prefix: options.prefix,
    }),
  })
}

/**
 * Turns a {@link WebhookRequest} into a Web `Request` (for `handler.fetch`, or `fetch()` to a test server).
 */
export function toFetchRequest(webhookRequest: WebhookRequest, url = webhookRequest.url): Request {
  const source = webhookRequest.headers
  const headers = new Headers(source instanceof Headers ? source : undefined)
  if (!(source instanceof Headers)) {
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined) continue
      for (const item of typeof value === 'string' ? [value] : value) headers.append(name, item)
    }
  }
  const method = webhookRequest.method.toUpperCase()
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (webhookRequest.body as BodyInit) : undefined,
  })
}
