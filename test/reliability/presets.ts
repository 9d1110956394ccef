// Every preset the property tests exercise: how to build it, how to sign for it, and which
// headers its signature covers (every other header is attacker-controlled).
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  awsSns,
  bitbucket,
  calendly,
  clerk,
  contentful,
  discord,
  dropbox,
  github,
  gitlab,
  hmac,
  hubspot,
  intercom,
  jira,
  lemonSqueezy,
  linear,
  mailgun,
  meta,
  microsoftGraph,
  mux,
  notion,
  paddle,
  paypal,
  plaid,
  polar,
  postmark,
  qstash,
  resend,
  sanity,
  segment,
  sendgrid,
  sentry,
  shopify,
  slack,
  square,
  standardWebhooks,
  stripe,
  svix,
  twilio,
  twitch,
  typeform,
  vercel,
  woocommerce,
  xero,
  zoom,
} from '../../src/providers/index.js'
import * as t from '../../src/testing/index.js'
import type { Provider, WebhookRequest } from '../../src/types.js'
import type { EcPublicJwk } from '../../src/verifiers/index.js'

export interface PresetCase {
  name: string
  /** Two valid, different secrets (private keys for asymmetric schemes). */
  secrets: readonly [string, string]
  create(secrets: readonly string[]): Provider
  /** Signs exactly `body` (plus the id headers the scheme sends) as the provider would. */
  signRaw(options: { secret: string; body: string; id: string; now: number }): Promise<WebhookRequest>
  /** The body of a delivery of event `id` carrying `note`. @default {@link eventBody} */
  makeBody?(options: { secret: string; id: string; note: string; now: number }): string
  /** Lower-case names of the headers the signature covers (the signature header included). */
  signedHeaders: readonly string[]
  /**
   * Signed headers whose every character matters. Contentful rebuilds its own two entries of
   * `x-contentful-signed-headers` whatever the list says, so that header is left out there.
   * @default signedHeaders
   */
  tamperHeaders?: readonly string[]
  /** False where the scheme does not cover the body (shared tokens, Mailgun, Graph's clientState). */
  bodySigned: boolean
  /** True when any non-empty string is a valid secret (plain HMAC keys), so wrong secrets can be generated. */
  anySecret: boolean
}

/** Signs a delivery of event `id` whose body carries `note`. */
export function signEvent(
  c: PresetCase,
  options: { secret: string; id: string; note: string; now: number },
): Promise<WebhookRequest> {
  const body = c.makeBody ? c.makeBody(options) : eventBody(options.id, options.note)
  return c.signRaw({ secret: options.secret, body, id: options.id, now: options.now })
}

/** A body every preset can read an id and a type from. */
export function eventBody(id: string, note: string): string {
  return JSON.stringify({
    id,
    event_id: id,
    type: 'reliability.event',
    event_type: 'reliability.event',
    event: 'reliability.event',
    data: { note },
  })
}

const HMAC = ['current secret ☕', 'previous-secret'] as const
const WHSEC = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1zZWNyZXQtZm9yLXJvdGF0aW9uLTEyMzQ='] as const
const TWILIO_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2'
const SQUARE_URL = 'https://example.com/webhook'
const HUBSPOT_URL = 'https://www.example.com/webhook_uri'
const QSTASH_URL = 'https://example.com/api/jobs'

function ed25519Pair(): { privateKey: string; publicHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const x = publicKey.export({ format: 'jwk' }).x as string
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicHex: Buffer.from(x, 'base64url').toString('hex'),
  }
}

function p256Pair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    kid,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid } as unknown as EcPublicJwk,
  }
}

// Certificate schemes: test-only self-signed RSA certificates (test/fixtures/x509), served by a
// local fetcher at the URL of each trusted key only (nothing leaves the machine). An untrusted
// key has no certificate on the provider's host: its URL answers 404.
const x509 = (name: string) => readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')
const RSA_KEYS = [x509('signer-1.key.pem'), x509('signer-2.key.pem')] as const
const RSA_CERTS = new Map([
  [RSA_KEYS[0], x509('signer-1.cert.pem')],
  [RSA_KEYS[1], x509('signer-2.cert.pem')],
])
const SNS_TOPIC = 'arn:aws:sns:eu-west-2:999999999999:reliability'
const snsCertUrl = (key: string) =>
  `https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-${key === RSA_KEYS[0] ? 'aaaa' : 'bbbb'}.pem`
const paypalCertUrl = (key: string) =>
  `https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-${key === RSA_KEYS[0] ? 'aaaa' : 'bbbb'}`
const PAYPAL_WEBHOOK_ID = 'WH-RELIABILITY-1'

function certificateFetch(trusted: readonly string[], urlOf: (key: string) => string) {
  const routes = new Map(trusted.map((key) => [urlOf(key), RSA_CERTS.get(key)]))
  return async (url: string) => {
    const text = routes.get(url)
    return text === undefined
      ? { ok: false, status: 404, text: async () => 'not found' }
      : { ok: true, status: 200, text: async () => text }
  }
}

const discordKeys = [ed25519Pair(), ed25519Pair()] as const
const discordPublic = new Map(discordKeys.map((k) => [k.privateKey, k.publicHex]))
const ecKeys = [p256Pair('kid-a'), p256Pair('kid-b')] as const
const ecByPrivate = new Map(ecKeys.map((k) => [k.privateKey, k]))

function formFields(body: string): Record<string, string[]> {
  const fields: Record<string, string[]> = Object.create(null)
  for (const [key, value] of new URLSearchParams(body)) {
    fields[key] ??= []
    fields[key].push(value)
  }
  return fields
}

function bodyOnly(
  name: string,
  create: (secret: string[]) => Provider,
  sign: (o: { secret: string; body: string }) => Promise<WebhookRequest>,
  signatureHeader: string,
): PresetCase {
  return {
    name,
    secrets: HMAC,
    create: (s) => create([...s]),
    signRaw: ({ secret, body }) => sign({ secret, body }),
    signedHeaders: [signatureHeader],
    bodySigned: true,
    anySecret: true,
  }
}

function timestamped(
  name: string,
  create: (secret: string[]) => Provider,
  sign: (o: { secret: string; body: string; now: number }) => Promise<WebhookRequest>,
  signedHeaders: readonly string[],
  secrets: readonly [string, string] = HMAC,
): PresetCase {
  return {
    name,
    secrets,
    create: (s) => create([...s]),
    signRaw: ({ secret, body, now }) => sign({ secret, body, now }),
    signedHeaders,
    bodySigned: true,
    anySecret: secrets === HMAC,
  }
}

function standard(
  name: string,
  create: (secret: string[]) => Provider,
  sign: (o: { secret: string; body: string; now: number; id: string }) => Promise<WebhookRequest>,
  prefix: 'webhook' | 'svix',
  secrets: readonly [string, string] = WHSEC,
): PresetCase {
  return {
    name,
    secrets,
    create: (s) => create([...s]),
    signRaw: ({ secret, body, now, id }) => sign({ secret, body, now, id }),
    signedHeaders: [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`],
    bodySigned: true,
    anySecret: false,
  }
}

export const PRESETS: readonly PresetCase[] = [
  bodyOnly(
    'github',
    (s) => github({ secret: s }),
    (o) => t.signGitHubRequest({ ...o, event: 'push' }),
    'x-hub-signature-256',
  ),
  timestamped(
    'stripe',
    (s) => stripe({ secret: s }),
    t.signStripeRequest,
    ['stripe-signature'],
    ['whsec_current', 'whsec_previous'],
  ),
  standard('standardWebhooks', (s) => standardWebhooks({ secret: s }), t.signStandardWebhooksRequest, 'webhook'),
  {
    ...bodyOnly(
      'hmac',
      (s) => hmac({ name: 'acme', header: 'X-Acme-Signature', secret: s, algorithm: 'sha512', encoding: 'base64' }),
      (o) => t.signHmacRequest({ ...o, header: 'X-Acme-Signature', algorithm: 'sha512', encoding: 'base64' }),
      'x-acme-signature',
    ),
  },
  {
    name: 'gitlab (secret token)',
    secrets: ['glwht-current-token', 'glwht-previous-token'],
    create: (s) => gitlab({ secret: [...s] }),
    signRaw: ({ secret, body }) => t.signGitLabRequest({ secret, body, event: 'Issue Hook' }),
    signedHeaders: ['x-gitlab-token'],
    bodySigned: false,
    anySecret: false,
  },
  standard(
    'gitlab (signing token)',
    (s) => gitlab({ signingToken: s }),
    ({ secret, body, now, id }) => t.signGitLabRequest({ signingToken: secret, body, now, id }),
    'webhook',
  ),
  bodyOnly('bitbucket', (s) => bitbucket({ secret: s }), t.signBitbucketRequest, 'x-hub-signature'),
  bodyOnly('jira', (s) => jira({ secret: s }), t.signJiraRequest, 'x-hub-signature'),
  bodyOnly('meta', (s) => meta({ secret: s, verifyToken: 'vt' }), t.signMetaRequest, 'x-hub-signature-256'),
  bodyOnly('intercom', (s) => intercom({ secret: s }), t.signIntercomRequest, 'x-hub-signature'),
  bodyOnly('notion', (s) => notion({ secret: s }), t.signNotionRequest, 'x-notion-signature'),
  bodyOnly('typeform', (s) => typeform({ secret: s }), t.signTypeformRequest, 'typeform-signature'),
  bodyOnly(
    'shopify',
    (s) => shopify({ secret: s }),
    (o) => t.signShopifyRequest({ ...o, topic: 'orders/paid' }),
    'x-shopify-hmac-sha256',
  ),
  bodyOnly('woocommerce', (s) => woocommerce({ secret: s }), t.signWooCommerceRequest, 'x-wc-webhook-signature'),
  bodyOnly('xero', (s) => xero({ secret: s }), t.signXeroRequest, 'x-xero-signature'),
  {
    ...bodyOnly('linear', (s) => linear({ secret: s }), t.signLinearRequest, 'linear-signature'),
    makeBody: ({ id, note, now }) => `{"webhookTimestamp": ${now}, ${eventBody(id, note).slice(1)}`,
  },
  bodyOnly('vercel', (s) => vercel({ secret: s }), t.signVercelRequest, 'x-vercel-signature'),
  bodyOnly('dropbox', (s) => dropbox({ secret: s }), t.signDropboxRequest, 'x-dropbox-signature'),
  bodyOnly(
    'sentry',
    (s) => sentry({ secret: s }),
    (o) => t.signSentryRequest({ ...o, resource: 'issue' }),
    'sentry-hook-signature',
  ),
  bodyOnly('lemonSqueezy', (s) => lemonSqueezy({ secret: s }), t.signLemonSqueezyRequest, 'x-signature'),
  bodyOnly('segment', (s) => segment({ secret: s }), t.signSegmentRequest, 'x-signature'),
  {
    name: 'mailgun',
    secrets: HMAC,
    create: (s) => mailgun({ secret: [...s] }),
    signRaw: ({ secret, body, now }) => t.signMailgunRequest({ secret, now, body }),
    makeBody: ({ id, note }) => JSON.stringify({ id, event: 'delivered', note }),
    signedHeaders: [],
    bodySigned: false,
    anySecret: true,
  },
  {
    name: 'postmark',
    secrets: ['hooks:correct horse', 'hooks:battery staple'],
    create: (s) => postmark({ secret: [...s] }),
    signRaw: ({ secret, body }) => t.signPostmarkRequest({ secret, body }),
    makeBody: ({ id, note }) => JSON.stringify({ RecordType: 'Delivery', MessageID: id, ID: id, note }),
    signedHeaders: ['authorization'],
    bodySigned: false,
    anySecret: false,
  },
  {
    name: 'microsoftGraph',
    secrets: HMAC,
    create: (s) => microsoftGraph({ secret: [...s] }),
    signRaw: ({ secret, body }) => t.signMicrosoftGraphRequest({ secret, body }),
    makeBody: ({ secret, id, note }) =>
      `{"value": [{"subscriptionId": "s-1", "clientState": ${JSON.stringify(secret)}, "changeType": "created", "resource": "me/messages/${id}", "resourceData": ${eventBody(id, note)}}]}`,
    signedHeaders: [],
    bodySigned: false,
    anySecret: false,
  },
  timestamped('paddle', (s) => paddle({ secret: s }), t.signPaddleRequest, ['paddle-signature']),
  {
    ...timestamped('sanity', (s) => sanity({ secret: s }), t.signSanityRequest, ['sanity-webhook-signature']),
    signRaw: ({ secret, body, now, id }) =>
      t.signSanityRequest({ secret, body, now, idempotencyKey: id, operation: 'create' }),
  },
  timestamped('mux', (s) => mux({ secret: s }), t.signMuxRequest, ['mux-signature']),
  {
    ...timestamped('calendly', (s) => calendly({ secret: s }), t.signCalendlyRequest, ['calendly-webhook-signature']),
    makeBody: ({ id, note }) =>
      JSON.stringify({ event: 'invitee.created', payload: { uri: `https://api.calendly.com/i/${id}`, note } }),
  },
  standard('svix', (s) => svix({ secret: s }), t.signSvixRequest, 'svix'),
  standard('clerk', (s) => clerk({ secret: s }), t.signClerkRequest, 'svix'),
  standard('resend', (s) => resend({ secret: s }), t.signResendRequest, 'svix'),
  standard('polar', (s) => polar({ secret: s }), t.signPolarRequest, 'webhook', [
    'polar_whs_current_secret',
    'polar_whs_previous_secret',
  ]),
  {
    ...timestamped('slack', (s) => slack({ secret: s }), t.signSlackRequest, [
      'x-slack-signature',
      'x-slack-request-timestamp',
    ]),
    makeBody: ({ id, note }) =>
      JSON.stringify({ type: 'event_callback', event_id: id, event: { type: 'app_mention', text: note } }),
  },
  {
    name: 'slack (form)',
    secrets: HMAC,
    create: (s) => slack({ secret: [...s] }),
    signRaw: ({ secret, body, now }) =>
      t.signSlackRequest({ secret, now, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    makeBody: ({ id, note }) =>
      new URLSearchParams({ command: '/deploy', text: note, trigger_id: id, team_id: 'T1' }).toString(),
    signedHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
    bodySigned: true,
    anySecret: true,
  },
  timestamped('zoom', (s) => zoom({ secret: s }), t.signZoomRequest, ['x-zm-signature', 'x-zm-request-timestamp']),
  {
    ...timestamped('twitch', (s) => twitch({ secret: s }), t.signTwitchRequest, [
      'twitch-eventsub-message-signature',
      'twitch-eventsub-message-timestamp',
      'twitch-eventsub-message-id',
    ]),
    signRaw: ({ secret, body, now, id }) =>
      t.signTwitchRequest({ secret, body, now, id, subscriptionType: 'channel.follow' }),
  },
  {
    name: 'contentful',
    secrets: ['A'.repeat(32) + 'b'.repeat(32), `${'0123456789abcdef'.repeat(3)}-_+/=${'x'.repeat(11)}`],
    create: (s) => contentful({ secret: s }),
    signRaw: ({ secret, body, id, now }) =>
      t.signContentfulRequest({
        secret,
        body,
        now,
        url: 'https://example.test/hooks/cf?space=main',
        idempotencyKey: id,
      }),
    signedHeaders: ['x-contentful-signature', 'x-contentful-timestamp', 'x-contentful-signed-headers'],
    tamperHeaders: ['x-contentful-signature', 'x-contentful-timestamp'],
    bodySigned: true,
    anySecret: false,
  },
  {
    name: 'twilio',
    secrets: ['12345', '67890'],
    create: (s) => twilio({ secret: s }),
    signRaw: ({ secret, body }) => t.signTwilioRequest({ secret, params: formFields(body), url: TWILIO_URL }),
    makeBody: ({ id, note }) =>
      new URLSearchParams({ MessageSid: id, Body: note, MessageStatus: 'received' }).toString(),
    signedHeaders: ['x-twilio-signature'],
    bodySigned: true,
    anySecret: true,
  },
  {
    ...bodyOnly('square', (s) => square({ secret: s, notificationUrl: SQUARE_URL }), t.signSquareRequest, ''),
    signRaw: ({ secret, body }) => t.signSquareRequest({ secret, body, url: SQUARE_URL }),
    signedHeaders: ['x-square-hmacsha256-signature'],
  },
  {
    ...timestamped('hubspot', (s) => hubspot({ secret: s }), t.signHubSpotRequest, [
      'x-hubspot-signature-v3',
      'x-hubspot-request-timestamp',
    ]),
    signRaw: ({ secret, body, now }) => t.signHubSpotRequest({ secret, now, url: HUBSPOT_URL, body }),
    makeBody: ({ id, note }) => JSON.stringify([{ eventId: id, note }]),
  },
  {
    name: 'discord',
    secrets: [discordKeys[0].privateKey, discordKeys[1].privateKey],
    create: (s) => discord({ publicKey: s.map((k) => discordPublic.get(k) as string) }),
    signRaw: ({ secret, body, now }) => t.signDiscordRequest({ privateKey: secret, now, body }),
    makeBody: ({ id, note }) => JSON.stringify({ type: 2, id, data: { name: note } }),
    signedHeaders: ['x-signature-ed25519', 'x-signature-timestamp'],
    bodySigned: true,
    anySecret: false,
  },
  {
    name: 'sendgrid',
    secrets: [ecKeys[0].privateKey, ecKeys[1].privateKey],
    create: (s) => sendgrid({ publicKey: s.map((k) => ecByPrivate.get(k)?.publicBase64 as string) }),
    signRaw: ({ secret, body, now }) => t.signSendGridRequest({ privateKey: secret, now, body }),
    makeBody: ({ id, note }) => JSON.stringify([{ sg_event_id: id, event: 'open', note }]),
    signedHeaders: ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp'],
    bodySigned: true,
    anySecret: false,
  },
  {
    name: 'plaid',
    secrets: [ecKeys[0].privateKey, ecKeys[1].privateKey],
    create: (s) => {
      const trusted = new Map(s.map((k) => [ecByPrivate.get(k)?.kid, ecByPrivate.get(k)?.jwk]))
      return plaid({ getKey: async ({ kid }) => trusted.get(kid) })
    },
    signRaw: ({ secret, body, now }) =>
      t.signPlaidRequest({ privateKey: secret, kid: ecByPrivate.get(secret)?.kid as string, now, body }),
    makeBody: ({ id, note }) => JSON.stringify({ webhook_type: 'ITEM', webhook_code: 'NOTE', item_id: id, note }),
    signedHeaders: ['plaid-verification'],
    bodySigned: true,
    anySecret: false,
  },
  {
    name: 'qstash',
    secrets: ['sig_current_key', 'sig_next_key'],
    create: (s) => qstash({ secret: s, url: true }),
    signRaw: ({ secret, body, now, id }) => t.signQStashRequest({ secret, body, now, url: QSTASH_URL, messageId: id }),
    signedHeaders: ['upstash-signature'],
    bodySigned: true,
    anySecret: true,
  },
  {
    // The body is the signed envelope; its SigningCertURL is outside the signature by SNS's
    // design (the host allow-list and the certificate's key protect it).
    name: 'awsSns',
    secrets: RSA_KEYS,
    create: (s) => awsSns({ topicArn: SNS_TOPIC, fetch: certificateFetch(s, snsCertUrl) }),
    signRaw: ({ secret, body, id, now }) =>
      t.signAwsSnsRequest({
        privateKey: secret,
        certUrl: snsCertUrl(secret),
        topicArn: SNS_TOPIC,
        message: body,
        messageId: id,
        now,
      }),
    signedHeaders: [],
    bodySigned: true,
    anySecret: false,
  },
  {
    name: 'paypal',
    secrets: RSA_KEYS,
    create: (s) => paypal({ webhookId: PAYPAL_WEBHOOK_ID, fetch: certificateFetch(s, paypalCertUrl) }),
    signRaw: ({ secret, body, now }) =>
      t.signPayPalRequest({
        privateKey: secret,
        certUrl: paypalCertUrl(secret),
        webhookId: PAYPAL_WEBHOOK_ID,
        body,
        now,
      }),
    signedHeaders: [
      'paypal-transmission-id',
      'paypal-transmission-time',
      'paypal-transmission-sig',
      'paypal-cert-url',
      'paypal-auth-algo',
    ],
    bodySigned: true,
    anySecret: false,
  },
]

/** Presets not in {@link PRESETS}, and why. */
export const NOT_COVERED: Readonly<Record<string, string>> = {}
