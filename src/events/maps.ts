/**
 * Payload types written by webhook-inbox for providers that publish none (Shopify, Paddle,
 * Linear, Lemon Squeezy, Resend, Twilio, Discord, SendGrid, PayPal, GitLab; and `QStashEvents`
 * for the messages you publish through QStash). They are ours, written from each provider's webhook
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

// ---------------------------------------------------------------- Twilio (form-encoded)

/** An incoming SMS or MMS (ours): Twilio's form fields, every value a string. */
export interface TwilioIncomingMessage {
  MessageSid: string
  SmsSid: string
  AccountSid: string
  MessagingServiceSid?: string
  From: string
  To: string
  Body: string
  NumMedia: string
  NumSegments?: string
  MediaUrl0?: string
  MediaContentType0?: string
  SmsStatus: 'received'
  ApiVersion: string
}

/** A message status callback (ours): `MessageStatus` is the preset's `event.type`. */
export interface TwilioMessageStatus<K extends string> {
  MessageSid: string
  AccountSid: string
  From: string
  To: string
  MessageStatus: K
  SmsStatus?: string
  ErrorCode?: string
  ApiVersion: string
}

/** A voice call status callback (ours): `CallStatus` is the preset's `event.type`. */
export interface TwilioCallStatus<K extends string> {
  CallSid: string
  AccountSid: string
  From: string
  To: string
  CallStatus: K
  Direction: 'inbound' | 'outbound-api' | 'outbound-dial'
  CallDuration?: string
  ApiVersion: string
}

/**
 * Each Twilio status → its form (ours). The preset's type is the first of `EventType`,
 * `MessageStatus`, `SmsStatus`, `CallStatus`: an incoming SMS is `received`, a message status
 * callback its `MessageStatus`, a call status callback its `CallStatus` (`queued` and `failed`
 * exist for both).
 */
export interface TwilioEventPayloads {
  received: TwilioIncomingMessage
  queued: TwilioMessageStatus<'queued'> | TwilioCallStatus<'queued'>
  sent: TwilioMessageStatus<'sent'>
  delivered: TwilioMessageStatus<'delivered'>
  undelivered: TwilioMessageStatus<'undelivered'>
  read: TwilioMessageStatus<'read'>
  failed: TwilioMessageStatus<'failed'> | TwilioCallStatus<'failed'>
  initiated: TwilioCallStatus<'initiated'>
  ringing: TwilioCallStatus<'ringing'>
  'in-progress': TwilioCallStatus<'in-progress'>
  completed: TwilioCallStatus<'completed'>
  busy: TwilioCallStatus<'busy'>
  'no-answer': TwilioCallStatus<'no-answer'>
  canceled: TwilioCallStatus<'canceled'>
}

/**
 * The Twilio map (ours): messaging and voice webhooks, as form fields.
 *
 * @example
 * import type { TwilioEvents } from 'webhook-inbox/events'
 * import { twilio } from 'webhook-inbox/providers'
 * const provider = twilio<TwilioEvents>({ secret: process.env.TWILIO_AUTH_TOKEN })
 */
export type TwilioEvents = EventMap<TwilioEventPayloads>

// ---------------------------------------------------------------- Discord (Ed25519)

/** A Discord user, as in interactions and webhook events (ours, common fields). */
export interface DiscordUser {
  id: string
  username: string
  global_name: string | null
  discriminator: string
  avatar: string | null
}

/** What every Discord interaction carries (ours): `type` as a number, the preset's type as a string. */
export interface DiscordInteractionBase<K extends number, D> {
  id: string
  application_id: string
  type: K
  data: D
  token: string
  version: 1
  guild_id?: string
  channel_id?: string
  /** Set in a server. */
  member?: { user: DiscordUser; roles: string[]; nick?: string | null; permissions: string }
  /** Set in a DM. */
  user?: DiscordUser
  locale?: string
}

/** An application command option as sent (ours). */
export interface DiscordCommandOption {
  name: string
  type: number
  value?: string | number | boolean
  options?: DiscordCommandOption[]
  focused?: boolean
}

/** A slash, user or message command (interaction type 2) (ours). */
export type DiscordApplicationCommand = DiscordInteractionBase<
  2,
  { id: string; name: string; type: 1 | 2 | 3; options?: DiscordCommandOption[]; target_id?: string }
>

/** A button or select menu (interaction type 3) (ours). */
export type DiscordMessageComponent = DiscordInteractionBase<
  3,
  { custom_id: string; component_type: number; values?: string[] }
> & { message: { id: string; channel_id: string; content: string } }

/** An autocomplete request (interaction type 4) (ours). */
export type DiscordAutocomplete = DiscordInteractionBase<
  4,
  { id: string; name: string; type: 1; options: DiscordCommandOption[] }
>

/** A modal submit (interaction type 5) (ours). */
export type DiscordModalSubmit = DiscordInteractionBase<
  5,
  { custom_id: string; components: { type: 1; components: { type: 4; custom_id: string; value: string }[] }[] }
>

/** A Discord webhook event (ours): `event.type` is the preset's `event.type`. */
export interface DiscordWebhookEvent<K extends string, D> {
  version: 1
  application_id: string
  type: 1
  event: { type: K; timestamp: string; data: D }
}

/** The data of `ENTITLEMENT_CREATE` (ours, common fields). */
export interface DiscordEntitlement {
  id: string
  sku_id: string
  application_id: string
  user_id?: string
  guild_id?: string
  type: number
  deleted: boolean
  starts_at?: string | null
  ends_at?: string | null
}

/**
 * Each Discord type → its payload (ours): interactions by their numeric `type` as a string
 * (`'2'` a command, `'3'` a component, `'4'` an autocomplete, `'5'` a modal submit; PINGs are
 * answered and never enqueued), webhook events by `event.type`.
 */
export interface DiscordEventPayloads {
  '2': DiscordApplicationCommand
  '3': DiscordMessageComponent
  '4': DiscordAutocomplete
  '5': DiscordModalSubmit
  APPLICATION_AUTHORIZED: DiscordWebhookEvent<
    'APPLICATION_AUTHORIZED',
    { integration_type?: 0 | 1; user: DiscordUser; scopes: string[]; guild?: { id: string; name: string } }
  >
  APPLICATION_DEAUTHORIZED: DiscordWebhookEvent<'APPLICATION_DEAUTHORIZED', { user: DiscordUser }>
  ENTITLEMENT_CREATE: DiscordWebhookEvent<'ENTITLEMENT_CREATE', DiscordEntitlement>
}

/**
 * The Discord map (ours): interactions and webhook events.
 *
 * @example
 * import type { DiscordEvents } from 'webhook-inbox/events'
 * import { discord } from 'webhook-inbox/providers'
 * const provider = discord<DiscordEvents>({ publicKey: process.env.DISCORD_PUBLIC_KEY })
 */
export type DiscordEvents = EventMap<DiscordEventPayloads>

// ---------------------------------------------------------------- SendGrid (ECDSA)

/** What every SendGrid Event Webhook event carries (ours). */
export interface SendGridEvent<K extends string> {
  event: K
  email: string
  /** Epoch seconds. */
  timestamp: number
  sg_event_id: string
  sg_message_id: string
  'smtp-id'?: string
  category?: string | string[]
  /** `bounce`, `dropped`, `deferred`: why. */
  reason?: string
  /** `bounce`: the SMTP status, e.g. `5.0.0`. */
  status?: string
  /** `bounce`: `bounce` or `blocked`. */
  type?: string
  /** `click`: the link. */
  url?: string
  useragent?: string
  ip?: string
  /** `deferred`: the attempt number. */
  attempt?: string
  asm_group_id?: number
}

/** The SendGrid event names (ours). */
export type SendGridEventName =
  | 'processed'
  | 'dropped'
  | 'delivered'
  | 'deferred'
  | 'bounce'
  | 'open'
  | 'click'
  | 'spamreport'
  | 'unsubscribe'
  | 'group_unsubscribe'
  | 'group_resubscribe'

/**
 * Each SendGrid type → its batch (ours). A delivery is an array of events; the preset's type is
 * their `event` when they all share one, else `batch`.
 */
export type SendGridEventPayloads = { [K in SendGridEventName]: SendGridEvent<K>[] } & {
  batch: SendGridEvent<SendGridEventName>[]
}

/**
 * The SendGrid Event Webhook map (ours).
 *
 * @example
 * import type { SendGridEvents } from 'webhook-inbox/events'
 * import { sendgrid } from 'webhook-inbox/providers'
 * const provider = sendgrid<SendGridEvents>({ publicKey: process.env.SENDGRID_VERIFICATION_KEY })
 */
export type SendGridEvents = EventMap<SendGridEventPayloads>

// ---------------------------------------------------------------- PayPal (certificate)

/** A PayPal amount (ours): a decimal string. */
export interface PayPalMoney {
  currency_code: string
  value: string
}

/** A PayPal webhook event (ours): `event_type` is the preset's `event.type`. */
export interface PayPalNotification<K extends string, R> {
  id: string
  event_type: K
  event_version: string
  create_time: string
  resource_type: string
  resource_version?: string
  summary: string
  resource: R
}

/** A PayPal capture (ours, common fields). */
export interface PayPalCapture {
  id: string
  status: 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'FAILED'
  amount: PayPalMoney
  final_capture: boolean
  invoice_id?: string
  custom_id?: string
  create_time: string
  update_time: string
  supplementary_data?: { related_ids: { order_id?: string } }
}

/** A PayPal refund (ours, common fields). */
export interface PayPalRefund {
  id: string
  status: 'CANCELLED' | 'FAILED' | 'PENDING' | 'COMPLETED'
  amount: PayPalMoney
  invoice_id?: string
  create_time: string
  update_time: string
}

/** A PayPal checkout order (ours, common fields). */
export interface PayPalOrder {
  id: string
  status: 'CREATED' | 'SAVED' | 'APPROVED' | 'VOIDED' | 'COMPLETED' | 'PAYER_ACTION_REQUIRED'
  intent: 'CAPTURE' | 'AUTHORIZE'
  purchase_units: { reference_id?: string; custom_id?: string; amount: PayPalMoney }[]
  create_time: string
  update_time: string
}

/** A PayPal subscription (ours, common fields). */
export interface PayPalSubscription {
  id: string
  status: 'APPROVAL_PENDING' | 'APPROVED' | 'ACTIVE' | 'SUSPENDED' | 'CANCELLED' | 'EXPIRED'
  plan_id: string
  custom_id?: string
  start_time: string
  update_time: string
  subscriber?: { email_address?: string; payer_id?: string }
}

/** Each PayPal event type → its event (ours). */
export interface PayPalEventPayloads {
  'PAYMENT.CAPTURE.COMPLETED': PayPalNotification<'PAYMENT.CAPTURE.COMPLETED', PayPalCapture>
  'PAYMENT.CAPTURE.PENDING': PayPalNotification<'PAYMENT.CAPTURE.PENDING', PayPalCapture>
  'PAYMENT.CAPTURE.DENIED': PayPalNotification<'PAYMENT.CAPTURE.DENIED', PayPalCapture>
  'PAYMENT.CAPTURE.REFUNDED': PayPalNotification<'PAYMENT.CAPTURE.REFUNDED', PayPalRefund>
  'CHECKOUT.ORDER.APPROVED': PayPalNotification<'CHECKOUT.ORDER.APPROVED', PayPalOrder>
  'CHECKOUT.ORDER.COMPLETED': PayPalNotification<'CHECKOUT.ORDER.COMPLETED', PayPalOrder>
  'BILLING.SUBSCRIPTION.ACTIVATED': PayPalNotification<'BILLING.SUBSCRIPTION.ACTIVATED', PayPalSubscription>
  'BILLING.SUBSCRIPTION.UPDATED': PayPalNotification<'BILLING.SUBSCRIPTION.UPDATED', PayPalSubscription>
  'BILLING.SUBSCRIPTION.SUSPENDED': PayPalNotification<'BILLING.SUBSCRIPTION.SUSPENDED', PayPalSubscription>
  'BILLING.SUBSCRIPTION.CANCELLED': PayPalNotification<'BILLING.SUBSCRIPTION.CANCELLED', PayPalSubscription>
}

/**
 * The PayPal map (ours).
 *
 * @example
 * import type { PayPalEvents } from 'webhook-inbox/events'
 * import { paypal } from 'webhook-inbox/providers'
 * const provider = paypal<PayPalEvents>({ webhookId: process.env.PAYPAL_WEBHOOK_ID as string })
 */
export type PayPalEvents = EventMap<PayPalEventPayloads>

// ---------------------------------------------------------------- GitLab (shared token)

/** A GitLab user, as in hook payloads (ours). */
export interface GitLabUser {
  id: number
  name: string
  username: string
  email?: string
}

/** A GitLab project, as in hook payloads (ours, common fields). */
export interface GitLabProject {
  id: number
  name: string
  path_with_namespace: string
  web_url: string
  default_branch: string
}

/** A push or tag push (ours). */
export interface GitLabPushHook<K extends 'push' | 'tag_push'> {
  object_kind: K
  event_name: K
  before: string
  after: string
  ref: string
  checkout_sha: string | null
  user_id: number
  user_name: string
  user_username: string
  project_id: number
  project: GitLabProject
  commits: {
    id: string
    message: string
    title: string
    timestamp: string
    url: string
    author: { name: string; email: string }
  }[]
  total_commits_count: number
}

/** An issue event (ours). */
export interface GitLabIssueHook {
  object_kind: 'issue'
  event_type: 'issue' | 'confidential_issue'
  user: GitLabUser
  project: GitLabProject
  object_attributes: {
    id: number
    iid: number
    title: string
    description: string | null
    state: 'opened' | 'closed'
    action?: 'open' | 'close' | 'reopen' | 'update'
    created_at: string
    updated_at: string
    url: string
  }
  labels?: { id: number; title: string }[]
}

/** A merge request event (ours). */
export interface GitLabMergeRequestHook {
  object_kind: 'merge_request'
  event_type: 'merge_request'
  user: GitLabUser
  project: GitLabProject
  object_attributes: {
    id: number
    iid: number
    title: string
    state: 'opened' | 'closed' | 'locked' | 'merged'
    action?: 'open' | 'close' | 'reopen' | 'update' | 'approved' | 'unapproved' | 'approval' | 'unapproval' | 'merge'
    source_branch: string
    target_branch: string
    merge_status: string
    created_at: string
    updated_at: string
    url: string
  }
}

/** A comment (ours). */
export interface GitLabNoteHook {
  object_kind: 'note'
  event_type: 'note' | 'confidential_note'
  user: GitLabUser
  project: GitLabProject
  object_attributes: {
    id: number
    note: string
    noteable_type: 'Commit' | 'MergeRequest' | 'Issue' | 'Snippet'
    created_at: string
    updated_at: string
    url: string
  }
}

/** A pipeline event (ours). */
export interface GitLabPipelineHook {
  object_kind: 'pipeline'
  user: GitLabUser
  project: GitLabProject
  object_attributes: {
    id: number
    ref: string
    tag: boolean
    sha: string
    status: 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual' | 'scheduled'
    source: string
    created_at: string
    finished_at: string | null
    duration: number | null
  }
}

/** Each `X-Gitlab-Event` → its payload (ours). */
export interface GitLabEventPayloads {
  'Push Hook': GitLabPushHook<'push'>
  'Tag Push Hook': GitLabPushHook<'tag_push'>
  'Issue Hook': GitLabIssueHook
  'Confidential Issue Hook': GitLabIssueHook
  'Merge Request Hook': GitLabMergeRequestHook
  'Note Hook': GitLabNoteHook
  'Confidential Note Hook': GitLabNoteHook
  'Pipeline Hook': GitLabPipelineHook
}

/**
 * The GitLab map (ours), keyed by the `X-Gitlab-Event` header. With the secret token alone
 * nothing is signed: whoever holds the token can send any body under any event name, so check
 * the body with `withSchemas` (or the handler's `schemas`) where that matters.
 *
 * @example
 * import type { GitLabEvents } from 'webhook-inbox/events'
 * import { gitlab } from 'webhook-inbox/providers'
 * const provider = gitlab<GitLabEvents>({ secret: process.env.GITLAB_WEBHOOK_TOKEN })
 */
export type GitLabEvents = EventMap<GitLabEventPayloads>

// ---------------------------------------------------------------- QStash (JWT)

/**
 * QStash delivers the messages you published, with no event type of its own (`event.type` is
 * `''`): `QStashEvents<M>` types `event.payload` as your message union `M` without reading its
 * fields as the event type. Narrow on a field of `M`.
 *
 * @example
 * import type { QStashEvents } from 'webhook-inbox/events'
 * import { qstash } from 'webhook-inbox/providers'
 * type Job = { kind: 'email'; to: string } | { kind: 'report'; month: string }
 * const provider = qstash<QStashEvents<Job>>({ secret: [process.env.QSTASH_CURRENT_SIGNING_KEY, process.env.QSTASH_NEXT_SIGNING_KEY] })
 */
export type QStashEvents<M> = EventMap<{ '': M }>
