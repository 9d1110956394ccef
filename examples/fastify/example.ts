// npm run example:fastify — a Fastify app on 127.0.0.1 receives one signed Stripe delivery.
import Fastify from 'fastify'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toFastify } from 'webhook-inbox/fastify'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest, toFetchRequest } from 'webhook-inbox/testing'

const secret = 'whsec_fastify_example'
const handler = createWebhookHandler({
  provider: stripe({ secret }),
  store: memoryStore(),
  enqueue: async (event) => console.log(`enqueued ${event.provider} ${event.type} ${event.id}`),
})

const app = Fastify()
// The plugin's raw body parser applies inside its own scope; other routes keep JSON parsing.
await app.register(toFastify(handler), { prefix: '/webhooks/stripe' })
const origin = await app.listen({ port: 0, host: '127.0.0.1' })
const delivery = await signStripeRequest({
  secret,
  body: { id: 'evt_fastify_example', object: 'event', type: 'invoice.paid' },
})
const response = await fetch(toFetchRequest(delivery, `${origin}/webhooks/stripe`))
console.log(response.status, await response.text())
await app.close()
process.exitCode = response.status === 200 ? 0 : 1
