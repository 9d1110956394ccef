// npm run example:hono — a Hono app on @hono/node-server (127.0.0.1) receives one signed Stripe delivery.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toHono } from 'webhook-inbox/hono'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest, toFetchRequest } from 'webhook-inbox/testing'

const secret = 'whsec_hono_example'
const handler = createWebhookHandler({
  provider: stripe({ secret }),
  store: memoryStore(),
  enqueue: async (event) => console.log(`enqueued ${event.provider} ${event.type} ${event.id}`),
})

const app = new Hono()
app.post('/webhooks/stripe', toHono(handler))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo
const delivery = await signStripeRequest({
  secret,
  body: { id: 'evt_hono_example', object: 'event', type: 'invoice.paid' },
})
const response = await fetch(toFetchRequest(delivery, `http://127.0.0.1:${port}/webhooks/stripe`))
console.log(response.status, await response.text())
server.close()
process.exitCode = response.status === 200 ? 0 : 1
