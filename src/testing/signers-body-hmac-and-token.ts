// Request signers of this family group (the inverse of each preset).
import { toBase64, utf8 } from '../crypto/encoding.js'
import type { WebhookRequest } from '../types.js'
import { signEmbeddedHmac } from '../verifiers/embedded-hmac.js'
import { signHmac } from '../verifiers/hmac.js'
import type { Secret } from '../verifiers/shared.js'
import { signStandardWebhooks } from '../verifiers/standard-webhooks.js'
import { rawBody, request, type SignerBase } from './signers.js'

const uuid = (): string => globalThis.crypto.randomUUID()
const seconds = (now: number | undefined): number => Math.floor((now ?? Date.now()) / 1000)

/**
 * A request signed like GitLab sends it: `X-Gitlab-Token` (the secret token verbatim) and, with
 * `signingToken`, the Standard Webhooks `webhook-*` signature headers.
 *
 * @example
 * import { signGitLabRequest } from 'webhook-inbox/testing'
 * const request = await signGitLabRequest({ secret: 'token', body: { object_kind: 'push' }, event: 'Push Hook' })
 */
export async function signGitLabRequest(
  options: SignerBase & {
    /** The secret token, sent verbatim in `X-Gitlab-Token`. */
    secret?: string
    /** The signing token (`whsec_…`); adds `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
    signingToken?: Secret
    /** `Idempotency-Key` (and `webhook-id`). @default a random UUID */
    id?: string
    /** @default 'Push Hook' */
    event?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const id = options.id ?? uuid()
  const headers: Record<string, string> = {
    'x-gitlab-event': options.event ?? 'Push Hook',
    'idempotency-key': id,
    'x-gitlab-event-uuid': uuid(),
    'user-agent': 'GitLab/test',
  }
  if (options.secret !== undefined) headers['x-gitlab-token'] = options.secret
  if (options.signingToken !== undefined) {
    const timestamp = seconds(options.now)
    headers['webhook-id'] = id
    headers['webhook-timestamp'] = String(timestamp)
    headers['webhook-signature'] = await signStandardWebhooks({
      payload: body,
      id,
      timestamp,
      secret: options.signingToken,
    })
  }
  return request(options, body, headers)
}

/**
 * A request signed like Bitbucket Cloud signs it (`X-Hub-Signature: sha256=<hex>`).
 *
 * @example
 * import { signBitbucketRequest } from 'webhook-inbox/testing'
 * const request = await signBitbucketRequest({ secret: 'test', body: { push: {} }, event: 'repo:push' })
 */
export async function signBitbucketRequest(
  options: SignerBase & { secret: Secret /** @default 'repo:push' */; event?: string },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-hub-signature': await signHmac({ payload: body, secret: options.secret, prefix: 'sha256=' }),
    'x-event-key': options.event ?? 'repo:push',
    'x-request-uuid': uuid(),
    'x-hook-uuid': uuid(),
    'x-attempt-number': '1',
  })
}

/**
 * A request signed like Jira Cloud signs it (`X-Hub-Signature: sha256=<hex>`).
 *
 * @example
 * import { signJiraRequest } from 'webhook-inbox/testing'
 * const request = await signJiraRequest({ secret: 'test', body: { webhookEvent: 'jira:issue_created' } })
 */
export async function signJiraRequest(
  options: SignerBase & { secret: Secret /** `X-Atlassian-Webhook-Identifier` @default random */; id?: string },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-hub-signature': await signHmac({ payload: body, secret: options.secret, prefix: 'sha256=' }),
    'x-atlassian-webhook-identifier': options.id ?? uuid(),
    'x-atlassian-webhook-flow': 'Primary',
  })
}

/**
 * A request signed like Meta signs it (`X-Hub-Signature-256: sha256=<hex>` with the App Secret).
 *
 * @example
 * import { signMetaRequest } from 'webhook-inbox/testing'
 * const request = await signMetaRequest({ secret: 'app-secret', body: { object: 'page', entry: [] } })
 */
export async function signMetaRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-hub-signature-256': await signHmac({ payload: body, secret: options.secret, prefix: 'sha256=' }),
  })
}

/**
 * A request signed like Intercom signs it (`X-Hub-Signature: sha1=<hex>`).
 *
 * @example
 * import { signIntercomRequest } from 'webhook-inbox/testing'
 * const request = await signIntercomRequest({ secret: 'client-secret', body: { id: 'notif_1', topic: 'ping' } })
 */
export async function signIntercomRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-hub-signature': await signHmac({ payload: body, secret: options.secret, algorithm: 'sha1', prefix: 'sha1=' }),
  })
}

/**
 * A request signed like Notion signs it (`X-Notion-Signature: sha256=<hex>`, key = the verification token).
 *
 * @example
 * import { signNotionRequest } from 'webhook-inbox/testing'
 * const request = await signNotionRequest({ secret: 'secret_token', body: { id: 'e1', type: 'page.created' } })
 */
export async function signNotionRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-notion-signature': await signHmac({ payload: body, secret: options.secret, prefix: 'sha256=' }),
  })
}

/**
 * A request signed like Typeform signs it (`Typeform-Signature: sha256=<base64>`).
 *
 * @example
 * import { signTypeformRequest } from 'webhook-inbox/testing'
 * const request = await signTypeformRequest({ secret: 'test', body: { event_id: 'e1', event_type: 'form_response' } })
 */
export async function signTypeformRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'typeform-signature': await signHmac({
      payload: body,
      secret: options.secret,
      encoding: 'base64',
      prefix: 'sha256=',
    }),
  })
}

/**
 * A request signed like Shopify signs it (`X-Shopify-Hmac-Sha256: <base64>`), with the classic
 * `X-Shopify-*` headers or the un-prefixed `shopify-*` ones of newer deliveries.
 *
 * @example
 * import { signShopifyRequest } from 'webhook-inbox/testing'
 * const request = await signShopifyRequest({ secret: 'test', body: { id: 1 }, topic: 'orders/create', eventId: 'e1' })
 */
export async function signShopifyRequest(
  options: SignerBase & {
    secret: Secret
    /** @default 'orders/create' */
    topic?: string
    /** `X-Shopify-Event-Id`. @default a random UUID */
    eventId?: string
    /** Header spelling. @default 'x-shopify' */
    variant?: 'x-shopify' | 'shopify'
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const prefix = options.variant ?? 'x-shopify'
  return request(options, body, {
    [`${prefix}-hmac-sha256`]: await signHmac({ payload: body, secret: options.secret, encoding: 'base64' }),
    [`${prefix}-topic`]: options.topic ?? 'orders/create',
    [`${prefix}-event-id`]: options.eventId ?? uuid(),
    [`${prefix}-webhook-id`]: uuid(),
    [`${prefix}-shop-domain`]: 'example.myshopify.com',
  })
}

/**
 * A request signed like WooCommerce signs it (`X-WC-Webhook-Signature: <base64>`).
 *
 * @example
 * import { signWooCommerceRequest } from 'webhook-inbox/testing'
 * const request = await signWooCommerceRequest({ secret: 'test', body: { id: 7, date_modified_gmt: '2026-01-01T00:00:00' } })
 */
export async function signWooCommerceRequest(
  options: SignerBase & { secret: Secret /** @default 'order.updated' */; topic?: string },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const topic = options.topic ?? 'order.updated'
  return request(options, body, {
    'x-wc-webhook-signature': await signHmac({ payload: body, secret: options.secret, encoding: 'base64' }),
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': topic.split('.')[0] as string,
    'x-wc-webhook-event': topic.split('.')[1] ?? '',
    'x-wc-webhook-delivery-id': uuid().replace(/-/g, ''),
    'x-wc-webhook-source': 'https://shop.example.test/',
  })
}

/**
 * A request signed like Xero signs it (`x-xero-signature: <base64>`).
 *
 * @example
 * import { signXeroRequest } from 'webhook-inbox/testing'
 * const request = await signXeroRequest({ secret: 'key', body: { events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'X' } })
 */
export async function signXeroRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-xero-signature': await signHmac({ payload: body, secret: options.secret, encoding: 'base64' }),
  })
}

/**
 * A request signed like Linear signs it (`Linear-Signature: <hex>`). An object body gets
 * `webhookTimestamp` (epoch ms of `now`) unless it has one; a string body is sent as given.
 *
 * @example
 * import { signLinearRequest } from 'webhook-inbox/testing'
 * const request = await signLinearRequest({ secret: 'test', body: { type: 'Issue', action: 'create', data: {} } })
 */
export async function signLinearRequest(
  options: SignerBase & {
    secret: Secret
    /** `Linear-Delivery`. @default a random UUID */
    id?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const source = options.body
  const body =
    typeof source === 'string' || source instanceof Uint8Array
      ? source
      : JSON.stringify({
          ...source,
          webhookTimestamp: (source as { webhookTimestamp?: number }).webhookTimestamp ?? options.now ?? Date.now(),
        })
  return request(options, body, {
    'linear-signature': await signHmac({ payload: body, secret: options.secret }),
    'linear-delivery': options.id ?? uuid(),
  })
}

/**
 * A request signed like Vercel signs it (`x-vercel-signature: <hex HMAC-SHA1>`).
 *
 * @example
 * import { signVercelRequest } from 'webhook-inbox/testing'
 * const request = await signVercelRequest({ secret: 'test', body: { id: 'evt_1', type: 'deployment.succeeded' } })
 */
export async function signVercelRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-vercel-signature': await signHmac({ payload: body, secret: options.secret, algorithm: 'sha1' }),
  })
}

/**
 * A notification signed like Dropbox signs it (`X-Dropbox-Signature: <hex>`).
 *
 * @example
 * import { signDropboxRequest } from 'webhook-inbox/testing'
 * const request = await signDropboxRequest({ secret: 'app-secret', body: { list_folder: { accounts: ['dbid:1'] } } })
 */
export async function signDropboxRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-dropbox-signature': await signHmac({ payload: body, secret: options.secret }),
  })
}

/**
 * A request signed like Sentry signs it (`Sentry-Hook-Signature: <hex>`).
 *
 * @example
 * import { signSentryRequest } from 'webhook-inbox/testing'
 * const request = await signSentryRequest({ secret: 'client-secret', body: { action: 'created', data: {} }, resource: 'issue' })
 */
export async function signSentryRequest(
  options: SignerBase & {
    secret: Secret
    /** `Sentry-Hook-Resource`. @default 'issue' */
    resource?: string
    /** `Request-ID`. @default a random UUID */
    id?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'sentry-hook-signature': await signHmac({ payload: body, secret: options.secret }),
    'sentry-hook-resource': options.resource ?? 'issue',
    'sentry-hook-timestamp': String(seconds(options.now)),
    'request-id': options.id ?? uuid(),
  })
}

/**
 * A request signed like Lemon Squeezy signs it (`X-Signature: <hex>`).
 *
 * @example
 * import { signLemonSqueezyRequest } from 'webhook-inbox/testing'
 * const request = await signLemonSqueezyRequest({ secret: 'test', body: { meta: { event_name: 'order_created' } } })
 */
export async function signLemonSqueezyRequest(
  options: SignerBase & { secret: Secret /** `X-Event-Name` @default 'order_created' */; event?: string },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-signature': await signHmac({ payload: body, secret: options.secret }),
    'x-event-name': options.event ?? 'order_created',
  })
}

/**
 * A request signed like Segment signs it (`X-Signature: <hex HMAC-SHA1>`).
 *
 * @example
 * import { signSegmentRequest } from 'webhook-inbox/testing'
 * const request = await signSegmentRequest({ secret: 'shared', body: { messageId: 'm1', type: 'track' } })
 */
export async function signSegmentRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, {
    'x-signature': await signHmac({ payload: body, secret: options.secret, algorithm: 'sha1' }),
  })
}

/**
 * A Mailgun webhook: `body` is the `event-data` (its bytes are kept as given), wrapped in
 * `{"signature": {timestamp, token, signature}, "event-data": …}`.
 *
 * @example
 * import { signMailgunRequest } from 'webhook-inbox/testing'
 * const request = await signMailgunRequest({ secret: 'signing-key', body: { id: 'ev1', event: 'delivered' } })
 */
export async function signMailgunRequest(
  options: SignerBase & {
    secret: Secret
    /** epoch ms @default Date.now() */
    now?: number
    /** The 50-character random token. @default random */
    token?: string
  },
): Promise<WebhookRequest> {
  const source = rawBody(options.body)
  const eventData = typeof source === 'string' ? source : new TextDecoder().decode(source)
  const timestamp = String(seconds(options.now))
  const token = options.token ?? (uuid() + uuid()).replace(/-/g, '').slice(0, 50)
  const signature = await signEmbeddedHmac({ fields: [timestamp, token], secret: options.secret })
  const body = `{"signature":${JSON.stringify({ timestamp, token, signature })},"event-data":${eventData}}`
  return request(options, body, {})
}

/**
 * A Postmark webhook with the Basic credentials of its URL (`secret` as `user:password`).
 *
 * @example
 * import { signPostmarkRequest } from 'webhook-inbox/testing'
 * const request = await signPostmarkRequest({ secret: 'hooks:s3cret', body: { RecordType: 'Delivery', MessageID: 'm1' } })
 */
export async function signPostmarkRequest(options: SignerBase & { secret: string }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  return request(options, body, { authorization: `Basic ${toBase64(utf8(options.secret))}` })
}

/**
 * A Microsoft Graph change notification. An array (or `{ value: [...] }`) gets `clientState:
 * secret` on every item that has none; a string body is sent as given.
 *
 * @example
 * import { signMicrosoftGraphRequest } from 'webhook-inbox/testing'
 * const request = await signMicrosoftGraphRequest({ secret: 'state', body: [{ changeType: 'created', resource: 'me/messages/1' }] })
 */
export async function signMicrosoftGraphRequest(options: SignerBase & { secret: string }): Promise<WebhookRequest> {
  const source = options.body
  let body: string | Uint8Array
  if (typeof source === 'string' || source instanceof Uint8Array) body = source
  else {
    const items = Array.isArray(source) ? source : ((source as { value?: unknown[] }).value ?? [])
    body = JSON.stringify({
      value: items.map((item) => ({ clientState: options.secret, ...(item as object) })),
    })
  }
  return request(options, body, {})
}
