import { createEventRouter, createWebhookHandler, type WebhookEvent, withSchemas } from 'webhook-inbox'
import type { ShopifyEvents } from 'webhook-inbox/events'
import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
import { shopify } from 'webhook-inbox/providers'
import { z } from 'zod'

export const queue: WebhookEvent<ShopifyEvents>[] = []
export const orders = new Map<string, string>()

export const handler = createWebhookHandler({
  // X-Shopify-Topic is not signed: the schema checks that the signed body is an order.
  provider: withSchemas(shopify<ShopifyEvents>({ secret: process.env.SHOPIFY_API_SECRET as string }), {
    'orders/updated': z.looseObject({
      admin_graphql_api_id: z.string(),
      updated_at: z.string(),
      financial_status: z.string(),
    }),
  }),
  enqueue: async (event) => {
    queue.push(event)
  },
})

export const router = createEventRouter<ShopifyEvents>({
  unrouted: 'fail',
  // Default for Shopify: the body's admin_graphql_api_id and updated_at (both signed).
  ordering: createOrderingGuard({ store: memoryOrderingStore() }),
}).on('orders/updated', (event) => {
  if (event.stale) return // an older update arrived after a newer one
  orders.set(event.payload.admin_graphql_api_id, event.payload.financial_status)
})
