// npm run examples — the typed end-to-end examples of the README section "Typed events, routing
// and ordering": signed deliveries through each handler, then through each router, in process.
import assert from 'node:assert/strict'
import { signGitHubRequest, signShopifyRequest, signSlackRequest, signStripeRequest } from 'webhook-inbox/testing'

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

console.warn = quiet
console.log('typed events: Stripe, GitHub, Slack and Shopify deliveries verified, typed, routed and ordered')
console.log(`schema refusal: ${refused.status} ${refused.body}`)
