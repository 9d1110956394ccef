import type Stripe from 'stripe'
import { createEventRouter, createWebhookHandler, type WebhookEvent } from 'webhook-inbox'
import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
import { stripe } from 'webhook-inbox/providers'

export const queue: WebhookEvent<Stripe.Event>[] = []
export const paid = new Map<string, number>()

export const handler = createWebhookHandler({
  provider: stripe<Stripe.Event>({ secret: process.env.STRIPE_WEBHOOK_SECRET as string }),
  enqueue: async (event) => {
    queue.push(event) // your queue or the inbox; the worker then calls router.handle(event)
  },
})

export const router = createEventRouter<Stripe.Event>({
  unrouted: 'ignore',
  ordering: createOrderingGuard({ store: memoryOrderingStore(), stale: 'skip' }),
})
  .on('invoice.paid', (event) => {
    const invoice = event.payload.data.object // Stripe.Invoice, no cast
    paid.set(invoice.id ?? '', invoice.amount_paid)
  })
  .on('customer.subscription.*', (event) => {
    console.log(event.type, event.payload.data.object.status) // Stripe.Subscription
  })
