import type Stripe from 'stripe'
import { createEventRouter } from 'webhook-inbox'

/** Customers as your database keeps them: always the provider's current state. */
export const customers = new Map<string, string | null>()

export function stripeRefetchRouter(client: Stripe) {
  return createEventRouter<Stripe.Event>({ unrouted: 'ignore' }).on('customer.*', async (event) => {
    // The snapshot in the event may be older than what Stripe has now: ask Stripe.
    const customer = await client.customers.retrieve(event.payload.data.object.id ?? '')
    if (customer.deleted) customers.delete(customer.id)
    else customers.set(customer.id, customer.email)
  })
}
