import { createWebhookHandler } from 'webhook-inbox'
import { toNextRoute } from 'webhook-inbox/next'
import { stripe } from 'webhook-inbox/providers'

// The same Stripe receiver on the Edge runtime: Web Crypto verifies the signature.
export const runtime = 'edge'

/** @type {string[]} */
const events = []

export const POST = toNextRoute(() =>
  createWebhookHandler({
    provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
    enqueue: async (event) => {
      events.push(event.id)
    },
    onWarning: () => {},
  }),
)

/** What this edge isolate enqueued, so the example's test can count deliveries. */
export async function GET() {
  return Response.json({ enqueued: events })
}
