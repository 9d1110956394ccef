// npm run examples — the typed end-to-end examples of the README section "Typed events, routing
// and ordering", one per scheme family: signed deliveries through each handler, then through
// each router, in process.
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createWebhookHandler, type Provider, type WebhookEvent } from 'webhook-inbox'
import {
  signClerkRequest,
  signDiscordRequest,
  signGitHubRequest,
  signGitLabRequest,
  signPayPalRequest,
  signQStashRequest,
  signSendGridRequest,
  signShopifyRequest,
  signSlackRequest,
  signStripeRequest,
  signTwilioRequest,
} from 'webhook-inbox/testing'

process.env.STRIPE_WEBHOOK_SECRET = 'whsec_typed_example'
process.env.GITHUB_WEBHOOK_SECRET = 'github-typed-example'
process.env.SLACK_SIGNING_SECRET = 'slack-typed-example'
process.env.SHOPIFY_API_SECRET = 'shopify-typed-example'
const quiet = console.warn
console.warn = () => {} // the default memoryStore's one-line warning

const stripeExample = await import('./stripe.js')
const stripeEvent = (id: string, type: string, created: number, object: object) => ({
  id,
  object: 'event',
  type,
  created,
  data: { object },
})
for (const body of [
  stripeEvent('evt_3', 'customer.updated', 300, { id: 'cus_1', object: 'customer', email: 'new@example.com' }),
  stripeEvent('evt_1', 'customer.updated', 100, { id: 'cus_1', object: 'customer', email: 'old@example.com' }), // older, arrives last
  stripeEvent('evt_5', 'invoice.updated', 500, { id: 'in_1', object: 'invoice', amount_paid: 5000 }),
  stripeEvent('evt_4', 'invoice.paid', 400, { id: 'in_1', object: 'invoice', amount_paid: 5000 }), // stale, still a payment
]) {
  const response = await stripeExample.handler.handle(await signStripeRequest({ secret: 'whsec_typed_example', body }))
  assert.equal(response.status, 200)
}
for (const event of stripeExample.queue) await stripeExample.router.handle(event)
assert.deepEqual([...stripeExample.emails], [['cus_1', 'new@example.com']])
assert.deepEqual([...stripeExample.paid], [['in_1', 5000]])

const githubExample = await import('./github.js')
const issue = {
  action: 'opened',
  issue: { number: 7, title: 'Typed events', id: 70, updated_at: '2026-01-01T00:00:00Z' },
}
assert.equal(
  (
    await githubExample.handler.handle(
      await signGitHubRequest({ secret: 'github-typed-example', event: 'issues', body: issue }),
    )
  ).status,
  200,
)
for (const event of githubExample.queue) await githubExample.router.handle(event)
assert.deepEqual(githubExample.opened, ['#7 Typed events'])

const slackExample = await import('./slack.js')
const mention = {
  type: 'event_callback',
  event_id: 'Ev1',
  event: { type: 'app_mention', text: '<@U1> hello', user: 'U2', ts: '1.0', channel: 'C1' },
}
assert.equal(
  (await slackExample.handler.handle(await signSlackRequest({ secret: 'slack-typed-example', body: mention }))).status,
  200,
)
for (const event of slackExample.queue) await slackExample.router.handle(event)
assert.deepEqual(slackExample.mentions, ['<@U1> hello'])

const shopifyExample = await import('./shopify.js')
const order = (updated_at: string, financial_status: string) => ({
  id: 1,
  admin_graphql_api_id: 'gid://shopify/Order/1',
  updated_at,
  financial_status,
})
for (const body of [order('2026-03-01T10:00:02Z', 'paid'), order('2026-03-01T10:00:01Z', 'pending')]) {
  const request = await signShopifyRequest({ secret: 'shopify-typed-example', topic: 'orders/updated', body })
  assert.equal((await shopifyExample.handler.handle(request)).status, 200)
}
const notAnOrder = await signShopifyRequest({
  secret: 'shopify-typed-example',
  topic: 'orders/updated',
  body: { id: 1 },
})
const refused = await shopifyExample.handler.handle(notAnOrder)
assert.equal(refused.status, 400)
for (const event of shopifyExample.queue) await shopifyExample.router.handle(event)
assert.deepEqual([...shopifyExample.orders], [['gid://shopify/Order/1', 'paid']])

// The other families: each file exports a typed provider and what processes its events; here
// each gets a handler whose queue is an array.
async function deliver<T>(provider: Provider<T>, request: Parameters<Provider<T>['verify']>[0]) {
  const queued: WebhookEvent<T>[] = []
  const handler = createWebhookHandler({ provider, enqueue: async (event) => void queued.push(event) })
  const response = await handler.handle(request)
  assert.ok(response.status === 200 || response.status === 204, `${provider.name} answered ${response.status}`)
  assert.equal(queued.length, 1, `${provider.name} queued ${queued.length}`)
  return queued[0] as WebhookEvent<T>
}

process.env.CLERK_WEBHOOK_SECRET = 'whsec_dHlwZWQtZXhhbXBsZS1jbGVyaw=='
const clerkExample = await import('./clerk.js')
const clerkUser = {
  type: 'user.created',
  object: 'event',
  timestamp: 1,
  instance_id: 'ins_1',
  data: { id: 'user_1', updated_at: 1, email_addresses: [{ email_address: 'ada@example.com' }] },
}
await clerkExample.router.handle(
  await deliver(
    clerkExample.provider,
    await signClerkRequest({ secret: process.env.CLERK_WEBHOOK_SECRET, body: clerkUser }),
  ),
)
assert.deepEqual([...clerkExample.users], [['user_1', 'ada@example.com']])

process.env.TWILIO_AUTH_TOKEN = 'twilio-typed-example'
const twilioExample = await import('./twilio.js')
const sms = {
  MessageSid: 'SM1',
  SmsSid: 'SM1',
  AccountSid: 'AC1',
  From: '+15550001',
  To: '+15550002',
  Body: 'hi',
  NumMedia: '0',
  SmsStatus: 'received',
  ApiVersion: '2010-04-01',
}
await twilioExample.router.handle(
  await deliver(twilioExample.provider, await signTwilioRequest({ secret: 'twilio-typed-example', params: sms })),
)
assert.deepEqual(twilioExample.texts, ['+15550001: hi'])

const ed25519 = generateKeyPairSync('ed25519')
process.env.DISCORD_PUBLIC_KEY = Buffer.from(
  ed25519.publicKey.export({ format: 'jwk' }).x as string,
  'base64url',
).toString('hex')
const discordExample = await import('./discord.js')
const command = {
  id: 'i1',
  application_id: 'a1',
  type: 2,
  token: 't',
  version: 1,
  data: { id: 'c1', name: 'deploy', type: 1 },
  user: { id: 'u1', username: 'ada' },
}
await discordExample.router.handle(
  await deliver(
    discordExample.provider,
    await signDiscordRequest({
      privateKey: ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      body: command,
    }),
  ),
)
assert.deepEqual(discordExample.commands, ['/deploy by ada'])

const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
process.env.SENDGRID_VERIFICATION_KEY = p256.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
const sendgridExample = await import('./sendgrid.js')
const bounces = [
  { event: 'bounce', email: 'a@example.com', timestamp: 1, sg_event_id: 'e1', sg_message_id: 'm1' },
  { event: 'delivered', email: 'b@example.com', timestamp: 1, sg_event_id: 'e2', sg_message_id: 'm2' },
  { event: 'bounce', email: 'c@example.com', timestamp: 1, sg_event_id: 'e3', sg_message_id: 'm3' },
]
await sendgridExample.router.handle(
  await deliver(
    sendgridExample.provider,
    await signSendGridRequest({
      privateKey: p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      body: `${JSON.stringify(bounces)}\r\n`,
    }),
  ),
)
assert.deepEqual([...sendgridExample.bounced], ['a@example.com', 'c@example.com'])

// PayPal's certificate comes from a PayPal host: here the test certificate, served in process.
const certUrl = 'https://api.paypal.com/v1/notifications/certs/CERT-typed-example'
const certificate = readFileSync(new URL('../../test/fixtures/x509/signer-1.cert.pem', import.meta.url), 'utf8')
const realFetch = globalThis.fetch
globalThis.fetch = async (input, init) =>
  String(input) === certUrl ? new Response(certificate) : realFetch(input, init)
process.env.PAYPAL_WEBHOOK_ID = 'WH-typed-example'
const paypalExample = await import('./paypal.js')
const capture = {
  id: 'WH-EVT-1',
  event_type: 'PAYMENT.CAPTURE.COMPLETED',
  event_version: '1.0',
  create_time: '2026-03-01T10:00:00Z',
  resource_type: 'capture',
  summary: 'Payment completed',
  resource: {
    id: 'CAP-1',
    status: 'COMPLETED',
    amount: { currency_code: 'EUR', value: '12.00' },
    final_capture: true,
    create_time: '2026-03-01T10:00:00Z',
    update_time: '2026-03-01T10:00:00Z',
  },
}
await paypalExample.router.handle(
  await deliver(
    paypalExample.provider,
    await signPayPalRequest({
      privateKey: readFileSync(new URL('../../test/fixtures/x509/signer-1.key.pem', import.meta.url), 'utf8'),
      certUrl,
      webhookId: 'WH-typed-example',
      body: capture,
    }),
  ),
)
globalThis.fetch = realFetch
assert.deepEqual([...paypalExample.captures], [['CAP-1', '12.00 EUR']])

process.env.QSTASH_CURRENT_SIGNING_KEY = 'sig_typed_current'
process.env.QSTASH_NEXT_SIGNING_KEY = 'sig_typed_next'
const qstashExample = await import('./qstash.js')
for (const [key, job] of [
  ['sig_typed_current', { kind: 'send-email', to: 'ada@example.com' }],
  ['sig_typed_next', { kind: 'monthly-report', month: '2026-02' }],
] as const) {
  await qstashExample.runJob(await deliver(qstashExample.provider, await signQStashRequest({ secret: key, body: job })))
}
assert.deepEqual(qstashExample.done, ['email to ada@example.com', 'report for 2026-02'])

process.env.GITLAB_WEBHOOK_TOKEN = 'gitlab-typed-example'
const gitlabExample = await import('./gitlab.js')
const mergeRequest = {
  object_kind: 'merge_request',
  event_type: 'merge_request',
  object_attributes: { id: 1, iid: 7, title: 'Typed events', action: 'merge', state: 'merged' },
}
await gitlabExample.router.handle(
  await deliver(
    gitlabExample.provider,
    await signGitLabRequest({ secret: 'gitlab-typed-example', event: 'Merge Request Hook', body: mergeRequest }),
  ),
)
assert.deepEqual(gitlabExample.merged, ['!7 Typed events'])

console.warn = quiet
console.log(
  'typed events: Stripe, GitHub, Slack, Shopify, Clerk, Twilio, Discord, SendGrid, PayPal, QStash and GitLab deliveries verified, typed and routed',
)
console.log(`schema refusal: ${refused.status} ${refused.body}`)
