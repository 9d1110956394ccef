// Request signers of families B, C and D (the inverse of each preset); re-exported by webhook-inbox/testing.
import type { WebhookRequest } from '../types.js'
import { signContentful } from '../verifiers/contentful.js'
import { signSeparateTimestamp } from '../verifiers/separate-timestamp.js'
import type { Secret } from '../verifiers/shared.js'
import { signTimestampedHeader } from '../verifiers/timestamped.js'
import { rawBody, request, type SignerBase, signStandardWebhooksRequest } from './signers.js'

/** Fields of every signer in this family: one secret or several (one signature each, as during a rotation). */
export interface TimestampedSignerOptions extends SignerBase {
  secret: Secret | readonly Secret[]
  /** Signing time, epoch ms. @default Date.now() */
  now?: number
}

/** Fields of signers whose scheme carries a single signature. */
export interface SingleSignerOptions extends SignerBase {
  secret: Secret
  /** Signing time, epoch ms. @default Date.now() */
  now?: number
}

function seconds(now: number | undefined): number {
  return Math.floor((now ?? Date.now()) / 1000)
}

function randomId(prefix = ''): string {
  return prefix + globalThis.crypto.randomUUID()
}

/**
 * A request signed like Paddle Billing signs it (`Paddle-Signature: ts=…;h1=…`, one `h1` per secret).
 *
 * @example
 * import { signPaddleRequest } from 'webhook-inbox/testing'
 * const request = await signPaddleRequest({ secret: 'pdl_ntfset_test', body: { event_id: 'evt_1', event_type: 'transaction.paid' } })
 */
export async function signPaddleRequest(options: TimestampedSignerOptions): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const header = await signTimestampedHeader({
    payload: body,
    secret: options.secret,
    timestamp: seconds(options.now),
    timestampKey: 'ts',
    signatureKey: 'h1',
    pairSeparator: ';',
    joiner: ':',
  })
  return request(options, body, { 'paddle-signature': header, 'user-agent': 'Paddle' })
}

/**
 * A request signed like Sanity signs a GROQ-powered webhook (`sanity-webhook-signature: t=<ms>,v1=<base64url>`).
 *
 * @example
 * import { signSanityRequest } from 'webhook-inbox/testing'
 * const request = await signSanityRequest({ secret: 'test', body: { _id: 'doc' }, idempotencyKey: 'k1' })
 */
export async function signSanityRequest(
  options: TimestampedSignerOptions & {
    /** `idempotency-key` header. @default a random UUID */
    idempotencyKey?: string
    /** `sanity-operation` header. @default 'update' */
    operation?: 'create' | 'update' | 'delete'
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const header = await signTimestampedHeader({
    payload: body,
    secret: options.secret,
    timestamp: options.now ?? Date.now(),
    timestampUnit: 'ms',
    encoding: 'base64url',
  })
  return request(options, body, {
    'sanity-webhook-signature': header,
    'idempotency-key': options.idempotencyKey ?? randomId(),
    'sanity-operation': options.operation ?? 'update',
    'user-agent': 'Sanity.io webhook delivery',
  })
}

/**
 * A request signed like Mux signs it (`mux-signature: t=…,v1=…`).
 *
 * @example
 * import { signMuxRequest } from 'webhook-inbox/testing'
 * const request = await signMuxRequest({ secret: 'mux-secret', body: { id: 'e1', type: 'video.asset.ready' } })
 */
export async function signMuxRequest(options: TimestampedSignerOptions): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const header = await signTimestampedHeader({ payload: body, secret: options.secret, timestamp: seconds(options.now) })
  return request(options, body, { 'mux-signature': header })
}

/**
 * A request signed like Calendly signs it (`Calendly-Webhook-Signature: t=…,v1=…`).
 *
 * @example
 * import { signCalendlyRequest } from 'webhook-inbox/testing'
 * const request = await signCalendlyRequest({ secret: 'signing-key', body: { event: 'invitee.created', payload: { uri: 'u' } } })
 */
export async function signCalendlyRequest(options: TimestampedSignerOptions): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const header = await signTimestampedHeader({ payload: body, secret: options.secret, timestamp: seconds(options.now) })
  return request(options, body, { 'calendly-webhook-signature': header })
}

/** Options of the Svix-delivered signers (`svix-*` headers). */
export interface SvixSignerOptions extends TimestampedSignerOptions {
  /** `svix-id`. @default a random `msg_…` id */
  id?: string
}

/**
 * A request signed like Svix signs it (`svix-id`, `svix-timestamp`, `svix-signature`).
 *
 * @example
 * import { signSvixRequest } from 'webhook-inbox/testing'
 * const request = await signSvixRequest({ secret: 'whsec_…', id: 'msg_1', body: { type: 'invoice.paid' } })
 */
export function signSvixRequest(options: SvixSignerOptions): Promise<WebhookRequest> {
  return signStandardWebhooksRequest({ ...options, headerPrefix: 'svix' })
}

/**
 * A request signed like Clerk (through Svix) signs it.
 *
 * @example
 * import { signClerkRequest } from 'webhook-inbox/testing'
 * const request = await signClerkRequest({ secret: 'whsec_…', body: { type: 'user.created', data: {} } })
 */
export function signClerkRequest(options: SvixSignerOptions): Promise<WebhookRequest> {
  return signStandardWebhooksRequest({ ...options, headerPrefix: 'svix' })
}

/**
 * A request signed like Resend signs it (`svix-*` headers).
 *
 * @example
 * import { signResendRequest } from 'webhook-inbox/testing'
 * const request = await signResendRequest({ secret: 'whsec_…', body: { type: 'email.delivered', data: {} } })
 */
export function signResendRequest(options: SvixSignerOptions): Promise<WebhookRequest> {
  return signStandardWebhooksRequest({ ...options, headerPrefix: 'svix' })
}

/**
 * A request signed like Polar signs it: Standard Webhooks headers, the secret used as raw UTF-8.
 *
 * @example
 * import { signPolarRequest } from 'webhook-inbox/testing'
 * const request = await signPolarRequest({ secret: 'polar_whs_test', body: { type: 'order.paid', data: {} } })
 */
export function signPolarRequest(options: SvixSignerOptions): Promise<WebhookRequest> {
  return signStandardWebhooksRequest({ ...options, secretFormat: 'raw', headerPrefix: 'webhook' })
}

/**
 * A request signed like Slack signs it (`X-Slack-Signature: v0=…`, `X-Slack-Request-Timestamp`).
 * Pass `form` for slash commands and interactivity (form-encoded), `body` for the Events API.
 *
 * @example
 * import { signSlackRequest } from 'webhook-inbox/testing'
 * const event = await signSlackRequest({ secret: 'signing-secret', body: { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } } })
 * const command = await signSlackRequest({ secret: 'signing-secret', body: '', form: { command: '/deploy', text: 'now' } })
 */
export async function signSlackRequest(
  options: SingleSignerOptions & {
    /** Form fields; when set they replace `body` and the request is form-encoded. */
    form?: Record<string, string>
    /** `X-Slack-Retry-Num`, for a retried event. */
    retryNum?: number
  },
): Promise<WebhookRequest> {
  const body = options.form ? new URLSearchParams(options.form).toString() : rawBody(options.body)
  const timestamp = String(seconds(options.now))
  const signature = await signSeparateTimestamp({
    payload: body,
    secret: options.secret,
    timestamp,
    baseString: (p) => `v0:${p.timestamp}:`,
    prefix: 'v0=',
  })
  const headers: Record<string, string> = {
    'x-slack-signature': signature,
    'x-slack-request-timestamp': timestamp,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  }
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded'
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum)
    headers['x-slack-retry-reason'] = 'http_timeout'
  }
  return request(options, body, headers)
}

/**
 * A request signed like Zoom signs it (`x-zm-signature: v0=…`, `x-zm-request-timestamp` in seconds).
 *
 * @example
 * import { signZoomRequest } from 'webhook-inbox/testing'
 * const request = await signZoomRequest({ secret: 'secret-token', body: { event: 'meeting.started', payload: {} } })
 */
export async function signZoomRequest(options: SingleSignerOptions): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const timestamp = String(seconds(options.now))
  const signature = await signSeparateTimestamp({
    payload: body,
    secret: options.secret,
    timestamp,
    baseString: (p) => `v0:${p.timestamp}:`,
    prefix: 'v0=',
  })
  return request(options, body, { 'x-zm-signature': signature, 'x-zm-request-timestamp': timestamp })
}

/** RFC 3339 with nanoseconds, as Twitch writes it. */
function twitchTimestamp(now: number): string {
  return `${new Date(now).toISOString().slice(0, 23)}000000Z`
}

/**
 * A request signed like Twitch EventSub signs it (`Twitch-Eventsub-Message-*` headers).
 *
 * @example
 * import { signTwitchRequest } from 'webhook-inbox/testing'
 * const request = await signTwitchRequest({ secret: 'subscription-secret', body: { subscription: {}, event: {} },
 *   subscriptionType: 'channel.follow' })
 */
export async function signTwitchRequest(
  options: SingleSignerOptions & {
    /** `Twitch-Eventsub-Message-Id`. @default a random UUID */
    id?: string
    /** @default 'notification' */
    messageType?: 'notification' | 'webhook_callback_verification' | 'revocation'
    /** `Twitch-Eventsub-Subscription-Type`. @default 'channel.follow' */
    subscriptionType?: string
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const id = options.id ?? randomId()
  const timestamp = twitchTimestamp(options.now ?? Date.now())
  const signature = await signSeparateTimestamp({
    payload: body,
    secret: options.secret,
    timestamp,
    id,
    baseString: (p) => `${p.id}${p.timestamp}`,
    prefix: 'sha256=',
  })
  return request(options, body, {
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-retry': '0',
    'twitch-eventsub-message-type': options.messageType ?? 'notification',
    'twitch-eventsub-message-signature': signature,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-subscription-type': options.subscriptionType ?? 'channel.follow',
    'twitch-eventsub-subscription-version': '2',
  })
}

/**
 * A request signed like Contentful signs a webhook with request verification enabled. The path
 * and query of `url` are signed, as are the `x-contentful-topic` and `x-contentful-webhook-name`
 * headers.
 *
 * @example
 * import { signContentfulRequest } from 'webhook-inbox/testing'
 * const request = await signContentfulRequest({ secret: 'a'.repeat(64), body: { sys: { id: 'e1' } },
 *   url: 'https://example.test/webhooks/contentful?space=main' })
 */
export async function signContentfulRequest(
  options: SingleSignerOptions & {
    /** `X-Contentful-Topic`. @default 'ContentManagement.Entry.publish' */
    topic?: string
    /** `X-Contentful-Idempotency-Key`. @default a random hex string */
    idempotencyKey?: string
    /** @default 'POST' */
    method?: string
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const method = (options.method ?? 'POST').toUpperCase()
  const signedExtras = {
    'x-contentful-topic': options.topic ?? 'ContentManagement.Entry.publish',
    'x-contentful-webhook-name': 'webhook-inbox test',
  }
  const signed = await signContentful({
    secret: options.secret,
    method,
    url: options.url ?? 'https://example.test/webhooks',
    body,
    timestamp: options.now ?? Date.now(),
    headers: signedExtras,
  })
  const idempotencyKey =
    options.idempotencyKey ?? randomId().replace(/-/g, '') + randomId().replace(/-/g, '').slice(0, 32)
  const built = request(options, body, {
    'content-type': 'application/vnd.contentful.management.v1+json',
    ...signedExtras,
    ...signed,
    'x-contentful-idempotency-key': idempotencyKey,
  })
  return { ...built, method }
}
