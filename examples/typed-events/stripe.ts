import type Stripe from 'stripe'
import { createEventRouter, createWebhookHandler, type WebhookEvent } from 'webhook-inbox'
import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
import { stripe } from 'webhook-inbox/providers'

export const queue: WebhookEvent<Stripe.Event>[] = []
export const paid = new Map<string, number>()
export const emails = new Map<string, string | null>()

export const handler = createWebhookHandler({
  provider: stripe<Stripe.Event>({ secret: process.env.STRIPE_WEBHOOK_SECRET as string }),
  enqueue: async (event) => {
    queue.push(event) // your queue or the inbox; the worker then calls router.handle(event)
  },
})

export const router = createEventRouter<Stripe.Event>({
  unrouted: 'ignore',
  // Marks an event older than one already seen for the same object: event.stale === true.
  ordering: createOrderingGuard({ store: memoryOrderingStore() }),
})
  .on('invoice.paid', (event) => {
    // A transition: handled even when stale (a newer invoice.updated may have come first).
    const invoice = event.payload.data.object // Stripe.Invoice, no cast
    paid.set(invoice.id ?? '', invoice.amount_paid)
  })
  .on('customer.updated', (event) => {
    if (event.stale) return // a snapshot older than the one already applied
    emails.set(event.payload.data.object.id, event.payload.data.object.email) // Stripe.Customer
  })
