// npm run example:koa — a Koa app on 127.0.0.1 receives one signed Stripe delivery.
import type { AddressInfo } from 'node:net'
import { bodyParser } from '@koa/bodyparser'
import Koa from 'koa'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toKoa } from 'webhook-inbox/koa'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest, toFetchRequest } from 'webhook-inbox/testing'

const secret = 'whsec_koa_example'
const handler = createWebhookHandler({
  provider: stripe({ secret }),
  store: memoryStore(),
  enqueue: async (event) => console.log(`enqueued ${event.provider} ${event.type} ${event.id}`),
})

const webhook = toKoa(handler)
const app = new Koa()
// Mounted before the body parser, so the webhook reads the raw bytes itself.
app.use((ctx, next) => (ctx.path === '/webhooks/stripe' ? webhook(ctx, next) : next()))
app.use(bodyParser())

const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo
const delivery = await signStripeRequest({
  secret,
  body: { id: 'evt_koa_example', object: 'event', type: 'invoice.paid' },
})
const response = await fetch(toFetchRequest(delivery, `http://127.0.0.1:${port}/webhooks/stripe`))
console.log(response.status, await response.text())
server.close()
process.exitCode = response.status === 200 ? 0 : 1
