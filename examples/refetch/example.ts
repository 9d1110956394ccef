// npm run examples — the refetch-canonical-state pattern of the README, against a fake Stripe
// and GitHub API on 127.0.0.1 (never a real provider). Two customer.updated events created in
// the same second arrive in the wrong order: the ordering guard cannot tell them apart (equal
// versions both pass), so the snapshot would end stale; refetching ends with the current state.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { createEventRouter, createWebhookHandler, type WebhookEvent } from 'webhook-inbox'
import type { GitHubEvents } from 'webhook-inbox/events/github'
import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
import { github, stripe } from 'webhook-inbox/providers'
import { signGitHubRequest, signStripeRequest } from 'webhook-inbox/testing'
import { githubRefetchRouter, issues } from './github-refetch.js'
import { customers, stripeRefetchRouter } from './stripe-refetch.js'

// The fake API: what Stripe and GitHub would answer now.
const calls: string[] = []
const api = createServer((req, res) => {
  calls.push(`${req.method} ${req.url}`)
  res.setHeader('content-type', 'application/json')
  if (req.url === '/v1/customers/cus_1') {
    res.end(JSON.stringify({ id: 'cus_1', object: 'customer', email: 'new@example.com' }))
  } else if (req.url === '/repos/acme/app/issues/7' && req.headers.authorization === 'Bearer ghs_fake') {
    res.end(JSON.stringify({ number: 7, state: 'closed' }))
  } else {
    res.statusCode = 404
    res.end('{}')
  }
})
api.listen(0, '127.0.0.1')
await new Promise((resolve) => api.once('listening', resolve))
const { port } = api.address() as AddressInfo

const stripeQueue: WebhookEvent<Stripe.Event>[] = []
const stripeHandler = createWebhookHandler({
  provider: stripe<Stripe.Event>({ secret: 'whsec_refetch' }),
  enqueue: (event) => void stripeQueue.push(event),
  onWarning: () => {},
})
const customerUpdated = (id: string, email: string) => ({
  id,
  object: 'event',
  type: 'customer.updated',
  created: 1_767_225_600, // the same second for both
  data: { object: { id: 'cus_1', object: 'customer', email } },
})
// The newer change arrives first, the older one last.
for (const body of [customerUpdated('evt_2', 'new@example.com'), customerUpdated('evt_1', 'old@example.com')]) {
  assert.equal((await stripeHandler.handle(await signStripeRequest({ secret: 'whsec_refetch', body }))).status, 200)
}

// Trusting the snapshot, even behind the guard: the tie passes, the older email wins.
const snapshot = new Map<string, string | null>()
const snapshotRouter = createEventRouter<Stripe.Event>({
  unrouted: 'ignore',
  ordering: createOrderingGuard({ store: memoryOrderingStore(), stale: 'skip' }),
}).on('customer.updated', (event) => {
  snapshot.set(event.payload.data.object.id, event.payload.data.object.email)
})
for (const event of stripeQueue) await snapshotRouter.handle(event)
assert.equal(snapshot.get('cus_1'), 'old@example.com')

// Refetching: the canonical state, whatever the order.
const client = new Stripe('sk_test_fake', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 })
const refetching = stripeRefetchRouter(client)
for (const event of stripeQueue) await refetching.handle(event)
assert.equal(customers.get('cus_1'), 'new@example.com')

// GitHub: an `issues.reopened` delivered after the issue was closed again; REST says closed.
const githubQueue: WebhookEvent<GitHubEvents>[] = []
const githubHandler = createWebhookHandler({
  provider: github<GitHubEvents>({ secret: 'gh-refetch' }),
  enqueue: (event) => void githubQueue.push(event),
  onWarning: () => {},
})
const reopened = {
  action: 'reopened',
  issue: { number: 7, state: 'open', id: 70, updated_at: '2026-01-01T00:00:00Z' },
  repository: { full_name: 'acme/app' },
}
assert.equal(
  (await githubHandler.handle(await signGitHubRequest({ secret: 'gh-refetch', event: 'issues', body: reopened })))
    .status,
  200,
)
const githubRouter = githubRefetchRouter({ baseUrl: `http://127.0.0.1:${port}`, token: 'ghs_fake' })
for (const event of githubQueue) await githubRouter.handle(event)
assert.equal(issues.get('acme/app#7'), 'closed')

api.close()
assert.deepEqual(calls, ['GET /v1/customers/cus_1', 'GET /v1/customers/cus_1', 'GET /repos/acme/app/issues/7'])
console.log(
  `refetch: snapshot ended ${snapshot.get('cus_1')}, refetch ended ${customers.get('cus_1')}; GitHub issue #7 is ${issues.get('acme/app#7')}`,
)
