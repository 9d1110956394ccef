import { toBase64, toBase64Url, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import type { WebhookRequest } from '../types.js'
import { pemToDer } from '../verifiers/asn1.js'
import type { Secret } from '../verifiers/shared.js'
import { type HubSpotVersion, signHubSpot, signSquare, signTwilio, twilioBodyHash } from '../verifiers/url-hmac.js'
import { crc32 } from '../verifiers/x509.js'
import { rawBody, request, type SignerBase } from './signers.js'

/** A private key for the asymmetric signers: PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or PKCS#8 DER bytes. */
export type PrivateKeyInput = string | Uint8Array

const DEFAULT_URL = 'https://example.test/webhooks'

function pkcs8(key: PrivateKeyInput): Uint8Array<ArrayBuffer> {
  const der = typeof key === 'string' ? pemToDer(key, 'PRIVATE KEY') : key
  if (!der) throw new TypeError('[webhook-inbox] privateKey must be a PKCS#8 PEM ("BEGIN PRIVATE KEY") or DER bytes.')
  return der as Uint8Array<ArrayBuffer>
}

async function subtleSign(
  key: PrivateKeyInput,
  algorithm: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams,
  sign: AlgorithmIdentifier | EcdsaParams,
  data: Uint8Array,
): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle
  const imported = await subtle.importKey('pkcs8', pkcs8(key), algorithm, false, ['sign'])
  return new Uint8Array(await subtle.sign(sign, imported, data as Uint8Array<ArrayBuffer>))
}

function derInteger(bytes: Uint8Array): number[] {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const body = [...bytes.subarray(start)]
  if ((body[0] as number) & 0x80) body.unshift(0)
  return [0x02, body.length, ...body]
}

/** Raw `r || s` (what Web Crypto produces) to DER `SEQUENCE { r, s }` (what SendGrid sends). */
function rawToDer(raw: Uint8Array): Uint8Array {
  const content = [...derInteger(raw.subarray(0, 32)), ...derInteger(raw.subarray(32))]
  return Uint8Array.from([0x30, content.length, ...content])
}

function seconds(now: number | undefined): number {
  return Math.floor((now ?? Date.now()) / 1000)
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? utf8(body) : body
}

/** Options of {@link signTwilioRequest}. */
export interface TwilioSignerOptions extends Omit<SignerBase, 'body'> {
  /** Auth Token, or SharedKey secret with `algorithm: 'sha256'`. */
  secret: Secret
  /** Form fields: sent as `application/x-www-form-urlencoded` and signed with the URL. */
  params?: Record<string, string | readonly string[]>
  /** A JSON body instead of form fields: the URL gets `bodySHA256` and only the URL is signed. */
  body?: SignerBase['body']
  /** `GET`: the URL alone is signed and no body is sent. @default 'POST' */
  method?: 'GET' | 'POST'
  /** `sha256` adds `X-Twilio-Webhooks-Signature-Settings` as SharedKey signing does. @default 'sha1' */
  algorithm?: 'sha1' | 'sha256'
  /** `I-Twilio-Idempotency-Token`. @default a random UUID */
  idempotencyToken?: string
}

/**
 * A request signed as Twilio signs it: form fields (`params`), a JSON `body` (through
 * `bodySHA256`), or a GET.
 *
 * @example
 * import { signTwilioRequest } from 'webhook-inbox/testing'
 * const request = await signTwilioRequest({ secret: 'auth-token', url: 'https://example.com/sms',
 *   params: { MessageSid: 'SM1', MessageStatus: 'delivered' } })
 */
export async function signTwilioRequest(options: TwilioSignerOptions): Promise<WebhookRequest> {
  const method = options.method ?? 'POST'
  const algorithm = options.algorithm ?? 'sha1'
  let url = options.url ?? DEFAULT_URL
  let body: string | Uint8Array = ''
  let contentType: string | undefined
  let params: Record<string, string | readonly string[]> | undefined
  if (method === 'POST' && options.params) {
    params = options.params
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(params)) {
      for (const item of typeof value === 'string' ? [value] : value) form.append(key, item)
    }
    body = form.toString()
    contentType = 'application/x-www-form-urlencoded'
  } else if (method === 'POST') {
    body = rawBody(options.body ?? {})
    url += `${url.includes('?') ? '&' : '?'}bodySHA256=${await twilioBodyHash(body)}`
    contentType = 'application/json'
  }
  const headers: Record<string, string> = {
    'x-twilio-signature': await signTwilio({ url, secret: options.secret, params, algorithm }),
    'i-twilio-idempotency-token': options.idempotencyToken ?? globalThis.crypto.randomUUID(),
    'user-agent': 'TwilioProxy/1.1',
  }
  if (contentType) headers['content-type'] = contentType
  if (algorithm === 'sha256') {
    headers['x-twilio-webhooks-signature-settings'] = 'key=webhooks_sharedkey_test,algorithm=HMAC_SHA256'
  }
  return { method, url, headers: { ...headers, ...options.headers }, body }
}

/**
 * A request signed as Square signs it, for the notification URL `url`.
 *
 * @example
 * import { signSquareRequest } from 'webhook-inbox/testing'
 * const request = await signSquareRequest({ secret: 'signature-key', url: 'https://example.com/webhooks/square',
 *   body: { event_id: 'e1', type: 'payment.updated' } })
 */
export async function signSquareRequest(options: SignerBase & { secret: Secret }): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const url = options.url ?? DEFAULT_URL
  return request(options, body, {
    'x-square-hmacsha256-signature': await signSquare({ url, payload: body, secret: options.secret }),
    'square-version': '2025-01-23',
  })
}

/**
 * A request signed as HubSpot signs it: v3 by default (with `X-HubSpot-Request-Timestamp`), or
 * v1 / v2 (with `X-HubSpot-Signature-Version`).
 *
 * @example
 * import { signHubSpotRequest } from 'webhook-inbox/testing'
 * const request = await signHubSpotRequest({ secret: 'client-secret', url: 'https://example.com/hubspot',
 *   body: [{ eventId: 1, subscriptionType: 'contact.creation' }] })
 */
export async function signHubSpotRequest(
  options: SignerBase & {
    secret: Secret
    /** @default 'v3' */
    version?: HubSpotVersion
    /** @default 'POST' */
    method?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const url = options.url ?? DEFAULT_URL
  const version = options.version ?? 'v3'
  const method = (options.method ?? 'POST').toUpperCase()
  const timestamp = options.now ?? Date.now()
  const signature = await signHubSpot({ version, method, url, payload: body, secret: options.secret, timestamp })
  const headers: Record<string, string> =
    version === 'v3'
      ? { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) }
      : { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': version }
  return { ...request(options, body, headers), method }
}

/**
 * A request signed as Discord signs it (Ed25519 over timestamp + body).
 *
 * @example
 * import { generateKeyPairSync } from 'node:crypto'
 * import { signDiscordRequest } from 'webhook-inbox/testing'
 *
 * const { privateKey } = generateKeyPairSync('ed25519')
 * const request = await signDiscordRequest({ privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
 *   body: { id: 'i1', type: 2 } })
 */
export async function signDiscordRequest(
  options: SignerBase & {
    privateKey: PrivateKeyInput
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const timestamp = String(seconds(options.now))
  const message = new Uint8Array([...utf8(timestamp), ...bytesOf(body)])
  const signature = await subtleSign(options.privateKey, { name: 'Ed25519' }, { name: 'Ed25519' }, message)
  return request(options, body, {
    'x-signature-ed25519': Array.from(signature, (b) => b.toString(16).padStart(2, '0')).join(''),
    'x-signature-timestamp': timestamp,
    'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
  })
}

/**
 * A request signed as SendGrid signs its Event Webhook (ECDSA P-256, base64 DER, over
 * timestamp + body).
 *
 * @example
 * import { signSendGridRequest } from 'webhook-inbox/testing'
 * const request = await signSendGridRequest({ privateKey: pkcs8Pem, body: '[{"sg_event_id":"e1","event":"delivered"}]\r\n' })
 */
export async function signSendGridRequest(
  options: SignerBase & {
    privateKey: PrivateKeyInput
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const timestamp = String(seconds(options.now))
  const message = new Uint8Array([...utf8(timestamp), ...bytesOf(body)])
  const raw = await subtleSign(
    options.privateKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    { name: 'ECDSA', hash: 'SHA-256' },
    message,
  )
  return request(options, body, {
    'x-twilio-email-event-webhook-signature': toBase64(rawToDer(raw)),
    'x-twilio-email-event-webhook-timestamp': timestamp,
  })
}

/** Options of {@link signAwsSnsRequest}. */
export interface AwsSnsSignerOptions extends Omit<SignerBase, 'body'> {
  /** RSA private key matching the certificate served at `certUrl`. */
  privateKey: PrivateKeyInput
  /** `SigningCertURL`. */
  certUrl: string
  topicArn: string
  /** The `Message` string. */
  message: string
  /** @default 'Notification' */
  type?: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'
  /** @default a random UUID */
  messageId?: string
  subject?: string
  /** For subscription messages. */
  subscribeUrl?: string
  token?: string
  /** @default '1' */
  signatureVersion?: '1' | '2'
  /** epoch ms @default Date.now() */
  now?: number
}

/**
 * A message signed as AWS SNS signs it, as the JSON body of a request (`text/plain`, as SNS sends it).
 *
 * @example
 * import { signAwsSnsRequest } from 'webhook-inbox/testing'
 * const request = await signAwsSnsRequest({ privateKey, certUrl: 'https://sns.us-east-1.amazonaws.com/cert.pem',
 *   topicArn: 'arn:aws:sns:us-east-1:123456789012:orders', message: '{"order":1}' })
 */
export async function signAwsSnsRequest(options: AwsSnsSignerOptions): Promise<WebhookRequest> {
  const type = options.type ?? 'Notification'
  const envelope: Record<string, string> = {
    Type: type,
    MessageId: options.messageId ?? globalThis.crypto.randomUUID(),
    TopicArn: options.topicArn,
  }
  if (options.subject !== undefined) envelope.Subject = options.subject
  envelope.Message = options.message
  if (options.token !== undefined) envelope.Token = options.token
  if (options.subscribeUrl !== undefined) envelope.SubscribeURL = options.subscribeUrl
  envelope.Timestamp = new Date(options.now ?? Date.now()).toISOString()
  const keys =
    type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
  let canonical = ''
  for (const key of keys) if (envelope[key] !== undefined) canonical += `${key}\n${envelope[key]}\n`
  const version = options.signatureVersion ?? '1'
  const signature = await subtleSign(
    options.privateKey,
    { name: 'RSASSA-PKCS1-v1_5', hash: version === '1' ? 'SHA-1' : 'SHA-256' },
    { name: 'RSASSA-PKCS1-v1_5' },
    utf8(canonical),
  )
  envelope.SignatureVersion = version
  envelope.Signature = toBase64(signature)
  envelope.SigningCertURL = options.certUrl
  const body = JSON.stringify(envelope)
  return {
    method: 'POST',
    url: options.url ?? DEFAULT_URL,
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': envelope.MessageId as string,
      'x-amz-sns-topic-arn': options.topicArn,
      ...options.headers,
    },
    body,
  }
}

/**
 * A request signed as PayPal signs it (RSA-SHA256 over `id|time|webhookId|crc32`).
 *
 * @example
 * import { signPayPalRequest } from 'webhook-inbox/testing'
 * const request = await signPayPalRequest({ privateKey, certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-1',
 *   webhookId: 'WH-1', body: { id: 'WH-EVT-1', event_type: 'PAYMENT.CAPTURE.COMPLETED' } })
 */
export async function signPayPalRequest(
  options: SignerBase & {
    privateKey: PrivateKeyInput
    /** `PAYPAL-CERT-URL`. */
    certUrl: string
    webhookId: string
    /** @default a random UUID */
    transmissionId?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const transmissionId = options.transmissionId ?? globalThis.crypto.randomUUID()
  const time = new Date(seconds(options.now) * 1000).toISOString().replace('.000Z', 'Z')
  const message = utf8(`${transmissionId}|${time}|${options.webhookId}|${crc32(bytesOf(body))}`)
  const signature = await subtleSign(
    options.privateKey,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    { name: 'RSASSA-PKCS1-v1_5' },
    message,
  )
  return request(options, body, {
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': time,
    'paypal-transmission-sig': toBase64(signature),
    'paypal-cert-url': options.certUrl,
    'paypal-auth-algo': 'SHA256withRSA',
  })
}

/**
 * A request signed as QStash signs it: an HS256 JWT in `Upstash-Signature`, valid 5 minutes.
 *
 * @example
 * import { signQStashRequest } from 'webhook-inbox/testing'
 * const request = await signQStashRequest({ secret: 'sig_current', url: 'https://example.com/api/job', body: { job: 1 } })
 */
export async function signQStashRequest(
  options: SignerBase & {
    secret: Secret
    /** `Upstash-Message-Id`. @default a random id */
    messageId?: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const url = options.url ?? DEFAULT_URL
  const now = seconds(options.now)
  const crypto = getCrypto()
  const claims = {
    iss: 'Upstash',
    sub: url,
    exp: now + 300,
    nbf: now,
    iat: now,
    jti: `jwt_${globalThis.crypto.randomUUID().replace(/-/g, '')}`,
    // QStash pads the hash (upstash.com/docs/qstash/features/security example token).
    body: `${toBase64Url(await crypto.digest('SHA-256', bytesOf(body)))}=`,
  }
  const head = `${toBase64Url(utf8('{"alg":"HS256","typ":"JWT"}'))}.${toBase64Url(utf8(JSON.stringify(claims)))}`
  const key = typeof options.secret === 'string' ? utf8(options.secret) : options.secret
  const signature = toBase64Url(await crypto.hmac('SHA-256', key, utf8(head)))
  return request(options, body, {
    'upstash-signature': `${head}.${signature}`,
    'upstash-message-id': options.messageId ?? `msg_${globalThis.crypto.randomUUID().replace(/-/g, '')}`,
    'upstash-retried': '0',
  })
}

/**
 * A request signed as Plaid signs it: an ES256 JWT in `Plaid-Verification` with `iat` and the
 * body's hex SHA-256, under the key id `kid`.
 *
 * @example
 * import { signPlaidRequest } from 'webhook-inbox/testing'
 * const request = await signPlaidRequest({ privateKey: p256Pkcs8Pem, kid: 'key-1',
 *   body: { webhook_type: 'TRANSACTIONS', webhook_code: 'SYNC_UPDATES_AVAILABLE', item_id: 'item-1' } })
 */
export async function signPlaidRequest(
  options: SignerBase & {
    /** ECDSA P-256 private key. */
    privateKey: PrivateKeyInput
    /** Key id put in the JWT header. */
    kid: string
    /** epoch ms @default Date.now() */
    now?: number
  },
): Promise<WebhookRequest> {
  const body = rawBody(options.body)
  const hash = await getCrypto().digest('SHA-256', bytesOf(body))
  const claims = {
    iat: seconds(options.now),
    request_body_sha256: Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join(''),
  }
  const head = `${toBase64Url(utf8(JSON.stringify({ alg: 'ES256', kid: options.kid, typ: 'JWT' })))}.${toBase64Url(utf8(JSON.stringify(claims)))}`
  const signature = await subtleSign(
    options.privateKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    { name: 'ECDSA', hash: 'SHA-256' },
    utf8(head),
  )
  return request(options, body, { 'plaid-verification': `${head}.${toBase64Url(signature)}` })
}
