/**
 * Payload types written by webhook-inbox for providers that publish none (Shopify, Paddle,
 * Linear, Lemon Squeezy, Resend). They are ours, written from each provider's webhook
 * documentation, and cover the common topics and their common fields, not every field: extend
 * them (`EventMap<ShopifyEventPayloads & { 'carts/create': MyCart }>`) or validate at run time
 * with `withSchemas`. Types only; nothing here exists at run time.
 * @module
 */
import type { EventMap } from '../types.js'

// ---------------------------------------------------------------- Shopify (REST webhook payloads)

/** A money amount as Shopify sends it: a decimal string. */
export type ShopifyMoney = string

/** A line item of a Shopify order (ours). */
export interface ShopifyLineItem {
  id: number
  admin_graphql_api_id: string
  product_id: number | null
  variant_id: number | null
  title: string
  quantity: number
  price: ShopifyMoney
  sku: string | null
}

/** A Shopify order, as in `orders/*` webhooks (ours). */
export interface ShopifyOrder {
  id: number
  admin_graphql_api_id: string
  name: string
  email: string | null
  currency: string
  total_price: ShopifyMoney
  subtotal_price: ShopifyMoney
  financial_status: 'pending' | 'authorized' | 'partially_paid' | 'paid' | 'partially_refunded' | 'refunded' | 'voided'
  fulfillment_status: 'fulfilled' | 'partial' | 'restocked' | null
  created_at: string
  updated_at: string
  cancelled_at: string | null
  line_items: ShopifyLineItem[]
  customer?: ShopifyCustomer | null
}

/** A Shopify product, as in `products/*` webhooks (ours). */
export interface ShopifyProduct {
  id: number
  admin_graphql_api_id: string
  title: string
  handle: string
  status: 'active' | 'archived' | 'draft'
  vendor: string
  product_type: string
  created_at: string
  updated_at: string
  variants: { id: number; title: string; price: ShopifyMoney; sku: string | null; inventory_quantity: number }[]
}

/** A Shopify customer, as in `customers/*` webhooks (ours). */
export interface ShopifyCustomer {
  id: number
  admin_graphql_api_id: string
  email: string | null
  first_name: string | null
  last_name: string | null
  created_at: string
  updated_at: string
}

/** Shopify's `app/uninstalled` payload: the shop (ours). */
export interface ShopifyShop {
  id: number
  name: string
  domain: string
  myshopify_domain: string
  email: string
}

/** Each Shopify topic (`X-Shopify-Topic`) → its payload (ours). `*​/delete` topics carry only the id. */
export interface ShopifyEventPayloads {
  'orders/create': ShopifyOrder
  'orders/updated': ShopifyOrder
  'orders/paid': ShopifyOrder
  'orders/cancelled': ShopifyOrder
  'orders/fulfilled': ShopifyOrder
  'orders/delete': { id: number }
  'products/create': ShopifyProduct
  'products/update': ShopifyProduct
  'products/delete': { id: number }
  'customers/create': ShopifyCustomer
  'customers/update': ShopifyCustomer
  'customers/delete': { id: number }
  'app/uninstalled': ShopifyShop
}

/**
 * The Shopify topic map (ours). The topic comes from the `X-Shopify-Topic` header, which the
 * HMAC does not cover: check the body with `withSchemas` where that matters.
 *
 * @example
 * import { createEventRouter } from 'webhook-inbox'
 * import type { ShopifyEvents } from 'webhook-inbox/events'
 * const router = createEventRouter<ShopifyEvents>({ unrouted: 'ignore' })
 *   .on('orders/paid', (event) => console.log(event.payload.total_price))
 */
export type ShopifyEvents = EventMap<ShopifyEventPayloads>

// ---------------------------------------------------------------- Paddle Billing

/** A Paddle Billing notification (ours): `event_type` is the preset's `event.type`. */
export interface PaddleNotification<K extends string, D> {
  event_id: string
  event_type: K
  occurred_at: string
  notification_id: string
  data: D
}

/** A Paddle transaction (ours, common fields). */
export interface PaddleTransaction {
  id: string
  status: 'draft' | 'ready' | 'billed' | 'paid' | 'completed' | 'canceled' | 'past_due'
  customer_id: string | null
  subscription_id: string | null
  currency_code: string
  created_at: string
  updated_at: string
  details: { totals: { total: string; subtotal: string; tax: string; currency_code: string } } | null
  items: { price_id: string; quantity: number }[]
}

/** A Paddle subscription (ours, common fields). */
export interface PaddleSubscription {
  id: string
  status: 'active' | 'canceled' | 'past_due' | 'paused' | 'trialing'
  customer_id: string
  currency_code: string
  created_at: string
  updated_at: string
  next_billed_at: string | null
  scheduled_change: { action: 'cancel' | 'pause' | 'resume'; effective_at: string } | null
  items: { price: { id: string; product_id: string }; quantity: number; status: string }[]
}

/** A Paddle customer (ours, common fields). */
export interface PaddleCustomer {
  id: string
  email: string
  name: string | null
  status: 'active' | 'archived'
  created_at: string
  updated_at: string
}

/** Each Paddle event type → its notification (ours). */
export interface PaddleEventPayloads {
  'transaction.created': PaddleNotification<'transaction.created', PaddleTransaction>
  'transaction.updated': PaddleNotification<'transaction.updated', PaddleTransaction>
  'transaction.paid': PaddleNotification<'transaction.paid', PaddleTransaction>
  'transaction.completed': PaddleNotification<'transaction.completed', PaddleTransaction>
  'transaction.payment_failed': PaddleNotification<'transaction.payment_failed', PaddleTransaction>
  'subscription.created': PaddleNotification<'subscription.created', PaddleSubscription>
  'subscription.updated': PaddleNotification<'subscription.updated', PaddleSubscription>
  'subscription.activated': PaddleNotification<'subscription.activated', PaddleSubscription>
  'subscription.canceled': PaddleNotification<'subscription.canceled', PaddleSubscription>
  'subscription.past_due': PaddleNotification<'subscription.past_due', PaddleSubscription>
  'customer.created': PaddleNotification<'customer.created', PaddleCustomer>
  'customer.updated': PaddleNotification<'customer.updated', PaddleCustomer>
}

/**
 * The Paddle Billing map (ours).
 *
 * @example
 * import type { PaddleEvents } from 'webhook-inbox/events'
 * import { paddle } from 'webhook-inbox/providers'
 * const provider = paddle<PaddleEvents>({ secret: process.env.PADDLE_WEBHOOK_SECRET })
 */
export type PaddleEvents = EventMap<PaddleEventPayloads>

// ---------------------------------------------------------------- Linear

/** A Linear webhook (ours): the body's `type` is the preset's `event.type`, `action` the change. */
export interface LinearWebhook<K extends string, D> {
  type: K
  action: 'create' | 'update' | 'remove'
  createdAt: string
  organizationId: string
  webhookTimestamp: number
  webhookId: string
  url: string
  actor?: { id: string; name: string; type: string }
  data: D
  /** On `update`, the previous values of the fields that changed. */
  updatedFrom?: Partial<D>
}

/** A Linear issue (ours, common fields). */
export interface LinearIssue {
  id: string
  identifier: string
  number: number
  title: string
  description?: string | null
  priority: number
  createdAt: string
  updatedAt: string
  teamId: string
  stateId: string
  assigneeId?: string | null
  state?: { id: string; name: string; type: string }
}

/** A Linear comment (ours, common fields). */
export interface LinearComment {
  id: string
  body: string
  issueId: string
  userId?: string | null
  createdAt: string
  updatedAt: string
}

/** A Linear project (ours, common fields). */
export interface LinearProject {
  id: string
  name: string
  state: string
  createdAt: string
  updatedAt: string
}

/** Linear webhook payloads (ours): a union discriminated by `type`; route `'Issue.create'`. */
export type LinearEvents =
  | LinearWebhook<'Issue', LinearIssue>
  | LinearWebhook<'Comment', LinearComment>
  | LinearWebhook<'Project', LinearProject>

// ---------------------------------------------------------------- Lemon Squeezy

/** A Lemon Squeezy webhook (ours): JSON:API `data` and `meta.event_name`. */
export interface LemonSqueezyWebhook<K extends string, Type extends string, A> {
  meta: { event_name: K; custom_data?: Record<string, unknown>; test_mode?: boolean }
  data: { type: Type; id: string; attributes: A }
}

/** A Lemon Squeezy order (ours, common fields). */
export interface LemonSqueezyOrder {
  store_id: number
  customer_id: number
  order_number: number
  user_email: string
  currency: string
  status: 'pending' | 'failed' | 'paid' | 'refunded' | 'partial_refund' | 'fraudulent'
  total: number
  created_at: string
  updated_at: string
}

/** A Lemon Squeezy subscription (ours, common fields). */
export interface LemonSqueezySubscription {
  store_id: number
  customer_id: number
  order_id: number
  product_id: number
  variant_id: number
  user_email: string
  status: 'on_trial' | 'active' | 'paused' | 'past_due' | 'unpaid' | 'cancelled' | 'expired'
  renews_at: string | null
  ends_at: string | null
  created_at: string
  updated_at: string
}

/** Each Lemon Squeezy event name → its payload (ours). */
export interface LemonSqueezyEventPayloads {
  order_created: LemonSqueezyWebhook<'order_created', 'orders', LemonSqueezyOrder>
  order_refunded: LemonSqueezyWebhook<'order_refunded', 'orders', LemonSqueezyOrder>
  subscription_created: LemonSqueezyWebhook<'subscription_created', 'subscriptions', LemonSqueezySubscription>
  subscription_updated: LemonSqueezyWebhook<'subscription_updated', 'subscriptions', LemonSqueezySubscription>
  subscription_cancelled: LemonSqueezyWebhook<'subscription_cancelled', 'subscriptions', LemonSqueezySubscription>
  subscription_expired: LemonSqueezyWebhook<'subscription_expired', 'subscriptions', LemonSqueezySubscription>
}

/** The Lemon Squeezy map (ours). */
export type LemonSqueezyEvents = EventMap<LemonSqueezyEventPayloads>

// ---------------------------------------------------------------- Resend

/** A Resend email event (ours): the body's `type` is the preset's `event.type`. */
export interface ResendEmailEvent<K extends string> {
  type: K
  created_at: string
  data: {
    email_id: string
    from: string
    to: string[]
    subject: string
    created_at: string
    bounce?: { message: string; type: string; subType: string }
    click?: { link: string; timestamp: string }
  }
}

/** Resend webhook payloads (ours): a union discriminated by `type`. */
export type ResendEvents =
  | ResendEmailEvent<'email.sent'>
  | ResendEmailEvent<'email.delivered'>
  | ResendEmailEvent<'email.delivery_delayed'>
  | ResendEmailEvent<'email.bounced'>
  | ResendEmailEvent<'email.complained'>
  | ResendEmailEvent<'email.opened'>
  | ResendEmailEvent<'email.clicked'>
