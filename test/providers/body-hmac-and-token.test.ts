// Every family A / J preset runs the shared verifier suite with its own signer.
import {
  bitbucket,
  dropbox,
  gitlab,
  intercom,
  jira,
  lemonSqueezy,
  linear,
  mailgun,
  meta,
  microsoftGraph,
  notion,
  postmark,
  segment,
  sentry,
  shopify,
  typeform,
  vercel,
  woocommerce,
  xero,
} from '../../src/providers/index.js'
import {
  signBitbucketRequest,
  signDropboxRequest,
  signGitLabRequest,
  signIntercomRequest,
  signJiraRequest,
  signLemonSqueezyRequest,
  signLinearRequest,
  signMailgunRequest,
  signMetaRequest,
  signMicrosoftGraphRequest,
  signNotionRequest,
  signPostmarkRequest,
  signSegmentRequest,
  signSentryRequest,
  signShopifyRequest,
  signTypeformRequest,
  signVercelRequest,
  signWooCommerceRequest,
  signXeroRequest,
} from '../../src/testing/index.js'
import { testVerifier } from './verifier-suite.js'

const SECRETS = ['current secret ☕', 'previous-secret'] as const

testVerifier({
  name: 'gitlab (secret token)',
  // Sent verbatim in a header, so it must be ASCII.
  secrets: ['glwht-current-token', 'glwht-previous-token'],
  create: (secrets) => gitlab({ secret: [...secrets] }),
  sign: ({ secret, body }) => signGitLabRequest({ secret, body, id: 'idem-1', event: 'Issue Hook' }),
  signatureHeaders: ['x-gitlab-token'],
  // A shared token covers neither the body nor the time: tampering is not detectable by design.
  bodySigned: false,
  expectedId: 'idem-1',
  expectedType: 'Issue Hook',
})

testVerifier({
  name: 'gitlab (signing token)',
  secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1zZWNyZXQtZm9yLXJvdGF0aW9uLTEyMzQ='],
  create: (secrets) => gitlab({ signingToken: [...secrets] }),
  sign: ({ secret, body, now }) => signGitLabRequest({ signingToken: secret, body, now, id: 'idem-2' }),
  signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  toleranceMs: 300_000,
  expectedId: 'idem-2',
  expectedType: 'Push Hook',
})

testVerifier({
  name: 'bitbucket',
  secrets: SECRETS,
  create: (secrets) => bitbucket({ secret: [...secrets] }),
  sign: ({ secret, body }) => signBitbucketRequest({ secret, body, event: 'pullrequest:created' }),
  signatureHeaders: ['x-hub-signature'],
  expectedType: 'pullrequest:created',
})

testVerifier({
  name: 'jira',
  secrets: SECRETS,
  create: (secrets) => jira({ secret: [...secrets] }),
  sign: ({ secret, body }) => signJiraRequest({ secret, body, id: 'atl-1' }),
  signatureHeaders: ['x-hub-signature'],
  body: '{"webhookEvent": "jira:issue_created", "issue": {"key": "ABC-1", "summary": "Zoë ☕"}}',
  expectedId: 'atl-1',
  expectedType: 'jira:issue_created',
})

testVerifier({
  name: 'meta',
  secrets: SECRETS,
  create: (secrets) => meta({ secret: [...secrets], verifyToken: 'vt' }),
  sign: ({ secret, body }) => signMetaRequest({ secret, body }),
  signatureHeaders: ['x-hub-signature-256'],
  body: '{"object": "page", "entry": [{"id": "1", "time": 1700000000, "messaging": [{"message": {"text": "Zo\\u00eb"}}]}]}',
  expectedType: 'page',
})

testVerifier({
  name: 'intercom',
  secrets: SECRETS,
  create: (secrets) => intercom({ secret: [...secrets] }),
  sign: ({ secret, body }) => signIntercomRequest({ secret, body }),
  signatureHeaders: ['x-hub-signature'],
  body: '{"type": "notification_event", "id": "notif_1", "topic": "conversation.user.created", "data": {"n": 1}}',
  expectedId: 'notif_1',
  expectedType: 'conversation.user.created',
})

testVerifier({
  name: 'notion',
  secrets: SECRETS,
  create: (secrets) => notion({ secret: [...secrets] }),
  sign: ({ secret, body }) => signNotionRequest({ secret, body }),
  signatureHeaders: ['x-notion-signature'],
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'typeform',
  secrets: SECRETS,
  create: (secrets) => typeform({ secret: [...secrets] }),
  sign: ({ secret, body }) => signTypeformRequest({ secret, body }),
  signatureHeaders: ['typeform-signature'],
  body: '{"event_id": "01TF", "event_type": "form_response", "form_response": {"answers": [{"text": "Zoë"}], "n": 1}}',
  expectedId: '01TF',
  expectedType: 'form_response',
})

testVerifier({
  name: 'shopify (X-Shopify-* headers)',
  secrets: SECRETS,
  create: (secrets) => shopify({ secret: [...secrets] }),
  sign: ({ secret, body }) => signShopifyRequest({ secret, body, topic: 'orders/paid', eventId: 'se-1' }),
  signatureHeaders: ['x-shopify-hmac-sha256'],
  expectedId: 'se-1',
  expectedType: 'orders/paid',
})

testVerifier({
  name: 'shopify (un-prefixed shopify-* headers)',
  secrets: SECRETS,
  create: (secrets) => shopify({ secret: [...secrets] }),
  sign: ({ secret, body }) =>
    signShopifyRequest({ secret, body, topic: 'orders/paid', eventId: 'se-2', variant: 'shopify' }),
  signatureHeaders: ['shopify-hmac-sha256'],
  expectedId: 'se-2',
  expectedType: 'orders/paid',
})

testVerifier({
  name: 'woocommerce',
  secrets: SECRETS,
  create: (secrets) => woocommerce({ secret: [...secrets] }),
  sign: ({ secret, body }) => signWooCommerceRequest({ secret, body, topic: 'order.updated' }),
  signatureHeaders: ['x-wc-webhook-signature'],
  body: '{"id": 7, "status": "processing", "date_modified_gmt": "2026-11-27T12:00:00", "billing": {"first_name": "Zoë"}}',
  expectedId: 'order.updated:7:2026-11-27T12:00:00',
  expectedType: 'order.updated',
})

testVerifier({
  name: 'xero',
  secrets: SECRETS,
  create: (secrets) => xero({ secret: [...secrets] }),
  sign: ({ secret, body }) => signXeroRequest({ secret, body }),
  signatureHeaders: ['x-xero-signature'],
  body: '{"events": [{"resourceId": "r-1", "eventCategory": "INVOICE", "eventType": "UPDATE", "tenantId": "t"}], "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "ZOË"}',
  expectedType: 'INVOICE.UPDATE',
})

testVerifier({
  name: 'linear',
  secrets: SECRETS,
  create: (secrets) => linear({ secret: [...secrets] }),
  // webhookTimestamp lives in the signed body, so each signature carries its own time.
  sign: ({ secret, body, now }) =>
    signLinearRequest({ secret, body: `{"webhookTimestamp": ${now}, ${body.slice(1)}`, id: 'lin-1' }),
  signatureHeaders: ['linear-signature'],
  toleranceMs: 60_000,
  expectedId: 'lin-1',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'vercel',
  secrets: SECRETS,
  create: (secrets) => vercel({ secret: [...secrets] }),
  sign: ({ secret, body }) => signVercelRequest({ secret, body }),
  signatureHeaders: ['x-vercel-signature'],
  expectedId: 'evt_suite_1',
  expectedType: 'suite.event',
})

testVerifier({
  name: 'dropbox',
  secrets: SECRETS,
  create: (secrets) => dropbox({ secret: [...secrets] }),
  sign: ({ secret, body }) => signDropboxRequest({ secret, body }),
  signatureHeaders: ['x-dropbox-signature'],
  body: '{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, "delta": {"users": [12345678]}}',
  expectedType: 'list_folder,delta',
})

testVerifier({
  name: 'sentry',
  secrets: SECRETS,
  create: (secrets) => sentry({ secret: [...secrets] }),
  sign: ({ secret, body }) => signSentryRequest({ secret, body, resource: 'issue', id: 'req-1' }),
  signatureHeaders: ['sentry-hook-signature'],
  body: '{"action": "created", "data": {"issue": {"id": "1", "title": "Zoë ☕"}}}',
  expectedId: 'req-1',
  expectedType: 'issue.created',
})

testVerifier({
  name: 'lemonSqueezy',
  secrets: SECRETS,
  create: (secrets) => lemonSqueezy({ secret: [...secrets] }),
  // The unsigned X-Event-Name says otherwise: the signed body's meta.event_name is the type.
  sign: ({ secret, body }) => signLemonSqueezyRequest({ secret, body, event: 'order_refunded' }),
  signatureHeaders: ['x-signature'],
  body: '{"meta": {"event_name": "subscription_updated"}, "data": {"id": "1", "attributes": {"name": "Zoë"}}}',
  expectedType: 'subscription_updated',
})

testVerifier({
  name: 'segment',
  secrets: SECRETS,
  create: (secrets) => segment({ secret: [...secrets] }),
  sign: ({ secret, body }) => signSegmentRequest({ secret, body }),
  signatureHeaders: ['x-signature'],
  body: '{"messageId": "ajs-1", "type": "track", "event": "Order Completed", "properties": {"name": "Zoë", "n": 1}}',
  expectedId: 'ajs-1',
  expectedType: 'track',
})

testVerifier({
  name: 'mailgun',
  secrets: SECRETS,
  create: (secrets) => mailgun({ secret: [...secrets] }),
  sign: ({ secret, body, now }) => signMailgunRequest({ secret, body, now }),
  // The signature is a body field, and Mailgun signs timestamp + token only (not the event).
  signatureHeaders: [],
  bodySigned: false,
  toleranceMs: 300_000,
  expectedId: 'evt_suite_1',
})

testVerifier({
  name: 'postmark',
  secrets: ['hooks:correct horse', 'hooks:battery staple'],
  create: (secrets) => postmark({ secret: [...secrets] }),
  sign: ({ secret, body }) => signPostmarkRequest({ secret, body }),
  signatureHeaders: ['authorization'],
  bodySigned: false,
  body: '{"RecordType": "Delivery", "MessageID": "m-1", "Recipient": "zoë@example.test", "n": 1}',
  expectedType: 'Delivery',
})

testVerifier({
  name: 'microsoftGraph',
  secrets: SECRETS,
  create: (secrets) => microsoftGraph({ secret: [...secrets] }),
  sign: ({ secret, body }) =>
    signMicrosoftGraphRequest({
      secret,
      body: `{"value": [{"subscriptionId": "s-1", "clientState": ${JSON.stringify(secret)}, "changeType": "created", "resource": "me/messages/1", "resourceData": ${body}}]}`,
    }),
  signatureHeaders: [],
  bodySigned: false,
  expectedType: 'created',
})
