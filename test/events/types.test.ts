// Type tests: checked by `npm run typecheck` (tsc over test/), and run by vitest as plain tests.
// Every `@ts-expect-error` must meet an error, or tsc fails: a wrong property is proven a type error.
import { generateKeyPairSync } from 'node:crypto'
import type { WebhookEvent as ClerkWebhookEvent } from '@clerk/backend'
import type { StandardSchemaV1 as SpecSchema } from '@standard-schema/spec'
import type Stripe from 'stripe'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { GitHubEvents } from '../../src/events/github.js'
import type {
  DiscordEvents,
  GitLabEvents,
  LemonSqueezyEvents,
  LinearEvents,
  PaddleEvents,
  PayPalEvents,
  QStashEvents,
  ResendEvents,
  SendGridEvents,
  ShopifyCustomer,
  ShopifyEvents,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyShop,
  TwilioEvents,
} from '../../src/events/maps.js'
import type { SlackEvents } from '../../src/events/slack.js'
import {
  createEventRouter,
  createInboxWorker,
  createWebhookHandler,
  type EventMap,
  memoryInbox,
  type PayloadOf,
  type StandardSchemaV1,
  type WebhookEvent,
  withSchemas,
} from '../../src/index.js'
import { createOrderingGuard, memoryOrderingStore } from '../../src/ordering/index.js'
import {
  clerk,
  discord,
  github,
  gitlab,
  lemonSqueezy,
  linear,
  paddle,
  paypal,
  qstash,
  resend,
  sendgrid,
  shopify,
  slack,
  stripe,
  twilio,
} from '../../src/providers/index.js'

const inbox = memoryInbox()

const P256_PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64')

// Takes any arguments: an arity error must never be what satisfies a `@ts-expect-error`.
const noop = (..._values: unknown[]) => {}

describe('typed events', () => {
  it('Stripe: stripe<Stripe.Event> narrows on event.type in enqueue, the worker and the router', () => {
    createWebhookHandler({
      provider: stripe<Stripe.Event>({ secret: 'whsec_test' }),
      enqueue: async (event) => {
        if (event.type === 'invoice.paid') {
          expectTypeOf(event.payload.data.object.amount_paid).toEqualTypeOf<number>()
        }
        if (event.type === 'customer.created') {
          expectTypeOf(event.payload.data.object.email).toEqualTypeOf<string | null>()
          // @ts-expect-error a customer has no amount_paid
          noop(event.payload.data.object.amount_paid)
        }
        // @ts-expect-error not a Stripe event type
        if (event.type === 'invoice.payed') noop()
      },
    })
    createInboxWorker<Stripe.Event>({
      inbox,
      process: (event) => {
        if (event.type === 'invoice.paid') return event.payload.data.object.amount_paid
        // @ts-expect-error without narrowing, the payload is any Stripe event
        return event.payload.data.object.amount_paid
      },
    })
    const router = createEventRouter<Stripe.Event>({ unrouted: 'ignore' })
      .on('invoice.paid', (event) => {
        expectTypeOf(event.type).toEqualTypeOf<'invoice.paid'>()
        // Assignment, not toEqualTypeOf: a deep comparison of Stripe's types costs tsc seconds.
        expectTypeOf(event.payload.data.object).not.toBeAny()
        const invoice: Stripe.Invoice = event.payload.data.object
        expectTypeOf(invoice.amount_paid).toEqualTypeOf<number>()
      })
      .on('customer.subscription.*', (event) => {
        expectTypeOf(event.type).toEqualTypeOf<
          | 'customer.subscription.created'
          | 'customer.subscription.deleted'
          | 'customer.subscription.paused'
          | 'customer.subscription.pending_update_applied'
          | 'customer.subscription.pending_update_expired'
          | 'customer.subscription.resumed'
          | 'customer.subscription.trial_will_end'
          | 'customer.subscription.updated'
        >()
        expectTypeOf(event.payload.data.object).not.toBeAny()
        const subscription: Stripe.Subscription = event.payload.data.object
        expectTypeOf(subscription.status).toEqualTypeOf<Stripe.Subscription.Status>()
      })
      .on('*', (event) => {
        const any: WebhookEvent<Stripe.Event> = event
        expectTypeOf(any.type).toEqualTypeOf<Stripe.Event['type']>()
      })
      .on('customer.created', (event) => {
        // @ts-expect-error the handler of customer.created gets a customer
        noop(event.payload.data.object.amount_paid)
      })
    // @ts-expect-error not a Stripe event type, nor a wildcard of one
    router.on('invoice.payed', noop)
    // The router's handle is the worker's process.
    createInboxWorker<Stripe.Event>({ inbox, process: router.handle })
  })

  it('GitHub: keyed by X-GitHub-Event, narrowed by action, routed as issues.opened', () => {
    createWebhookHandler({
      provider: github<GitHubEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'issues' && event.payload.action === 'opened') {
          expectTypeOf(event.payload.issue.title).toEqualTypeOf<string>()
        }
        if (event.type === 'push') {
          expectTypeOf(event.payload.ref).toEqualTypeOf<string>()
          // @ts-expect-error a push has no issue
          noop(event.payload.issue)
        }
      },
    })
    createEventRouter<GitHubEvents>({ unrouted: 'fail' })
      .on('issues.opened', (event) => {
        expectTypeOf(event.type).toEqualTypeOf<'issues'>()
        expectTypeOf(event.payload.action).toEqualTypeOf<'opened'>()
        expectTypeOf(event.payload.issue.number).toEqualTypeOf<number>()
      })
      .on('pull_request.*', (event) => {
        expectTypeOf(event.type).toEqualTypeOf<'pull_request'>()
        expectTypeOf(event.payload.pull_request.number).toEqualTypeOf<number>()
      })
      .on('issues', (event) => {
        // @ts-expect-error an issues event has no pull_request
        noop(event.payload.pull_request)
      })
      // @ts-expect-error issues has no such action
      .on('issues.opend', noop)
  })

  it('Slack: Events API types from @slack/types inside our envelope', () => {
    createEventRouter<SlackEvents>({ unrouted: 'ignore' })
      .on('app_mention', (event) => {
        expectTypeOf(event.payload.type).toEqualTypeOf<'event_callback'>()
        expectTypeOf(event.payload.event.text).toEqualTypeOf<string>()
      })
      .on('reaction_added', (event) => {
        expectTypeOf(event.payload.event.reaction).toEqualTypeOf<string>()
        // @ts-expect-error a reaction has no text
        noop(event.payload.event.text)
      })
    createWebhookHandler({ provider: slack<SlackEvents>({ secret: 'test' }), enqueue: noop })
  })

  it('our maps: Shopify, Paddle, Linear, Lemon Squeezy, Resend', () => {
    createWebhookHandler({
      provider: shopify<ShopifyEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'orders/paid') expectTypeOf(event.payload.total_price).toEqualTypeOf<string>()
        if (event.type === 'products/update') {
          // @ts-expect-error a product has no total_price
          noop(event.payload.total_price)
        }
      },
    })
    createEventRouter<ShopifyEvents>({ unrouted: 'ignore' }).on('orders/*', (event) => {
      expectTypeOf(event.payload).toEqualTypeOf<
        ShopifyEvents extends EventMap<infer M> ? M[`orders/${string}` & keyof M] : never
      >()
    })
    createWebhookHandler({
      provider: paddle<PaddleEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'subscription.canceled')
          expectTypeOf(event.payload.data.next_billed_at).toEqualTypeOf<string | null>()
        if (event.type === 'customer.created') {
          // @ts-expect-error a customer has no next_billed_at
          noop(event.payload.data.next_billed_at)
        }
      },
    })
    createWebhookHandler({
      provider: linear<LinearEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'Issue') expectTypeOf(event.payload.data.identifier).toEqualTypeOf<string>()
        if (event.type === 'Comment') {
          // @ts-expect-error a comment has no identifier
          noop(event.payload.data.identifier)
        }
      },
    })
    createEventRouter<LinearEvents>({ unrouted: 'ignore' }).on('Issue.create', (event) => {
      expectTypeOf(event.payload.action).toEqualTypeOf<'create'>()
      expectTypeOf(event.payload.data.title).toEqualTypeOf<string>()
    })
    createWebhookHandler({
      provider: lemonSqueezy<LemonSqueezyEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'subscription_updated')
          expectTypeOf(event.payload.data.attributes.renews_at).toEqualTypeOf<string | null>()
        if (event.type === 'order_created') {
          // @ts-expect-error an order has no renews_at
          noop(event.payload.data.attributes.renews_at)
        }
      },
    })
    createEventRouter<ResendEvents>({ unrouted: 'ignore' }).on('email.*', (event) => {
      expectTypeOf(event.payload.data.email_id).toEqualTypeOf<string>()
      // @ts-expect-error Resend events have no order
      noop(event.payload.data.order)
    })
    createWebhookHandler({ provider: resend<ResendEvents>({ secret: 'whsec_dGVzdA==' }), enqueue: noop })
  })

  it('one map per scheme family: Clerk (official), Twilio, Discord, SendGrid, PayPal, QStash, GitLab (ours)', () => {
    createEventRouter<ClerkWebhookEvent>({ unrouted: 'ignore' })
      .on('user.created', (event) => {
        expectTypeOf(event.payload.data.email_addresses[0]?.email_address).toEqualTypeOf<string | undefined>()
      })
      .on('session.created', (event) => {
        // @ts-expect-error a session has no email_addresses
        noop(event.payload.data.email_addresses)
      })
    createWebhookHandler({ provider: clerk<ClerkWebhookEvent>({ secret: 'whsec_dGVzdA==' }), enqueue: noop })

    createWebhookHandler({
      provider: twilio<TwilioEvents>({ secret: 'test' }),
      enqueue: (event) => {
        if (event.type === 'received') expectTypeOf(event.payload.Body).toEqualTypeOf<string>()
        if (event.type === 'delivered') {
          expectTypeOf(event.payload.MessageStatus).toEqualTypeOf<'delivered'>()
          // @ts-expect-error a status callback has no Body
          noop(event.payload.Body)
        }
        if (event.type === 'failed') {
          // @ts-expect-error a failed call has no MessageSid: narrow on the fields first
          noop(event.payload.MessageSid)
        }
      },
    })

    createEventRouter<DiscordEvents>({ unrouted: 'ignore' })
      .on('2', (event) => {
        expectTypeOf(event.payload.type).toEqualTypeOf<2>()
        expectTypeOf(event.payload.data.name).toEqualTypeOf<string>()
        // @ts-expect-error a command has no custom_id
        noop(event.payload.data.custom_id)
      })
      .on('ENTITLEMENT_CREATE', (event) => {
        expectTypeOf(event.payload.event.data.sku_id).toEqualTypeOf<string>()
        // @ts-expect-error a webhook event has no interaction token
        noop(event.payload.token)
      })
    createWebhookHandler({ provider: discord<DiscordEvents>({ publicKey: 'ab'.repeat(32) }), enqueue: noop })

    createEventRouter<SendGridEvents>({ unrouted: 'ignore' })
      .on('bounce', (event) => {
        expectTypeOf(event.payload[0]?.event).toEqualTypeOf<'bounce' | undefined>()
        // @ts-expect-error a SendGrid delivery is an array of events
        noop(event.payload.email)
      })
      .on('batch', (event) => {
        for (const item of event.payload) expectTypeOf(item.email).toEqualTypeOf<string>()
      })
    createWebhookHandler({ provider: sendgrid<SendGridEvents>({ publicKey: P256_PUBLIC_KEY }), enqueue: noop })

    createWebhookHandler({
      provider: paypal<PayPalEvents>({ webhookId: 'WH-1' }),
      enqueue: (event) => {
        if (event.type === 'PAYMENT.CAPTURE.COMPLETED') {
          expectTypeOf(event.payload.resource.final_capture).toEqualTypeOf<boolean>()
        }
        if (event.type === 'BILLING.SUBSCRIPTION.CANCELLED') {
          expectTypeOf(event.payload.resource.plan_id).toEqualTypeOf<string>()
          // @ts-expect-error a subscription has no final_capture
          noop(event.payload.resource.final_capture)
        }
      },
    })

    type Job = { kind: 'email'; to: string } | { kind: 'report'; month: string; type: 'monthly' }
    createWebhookHandler({
      provider: qstash<QStashEvents<Job>>({ secret: 'sig_test' }),
      enqueue: (event) => {
        // A message's own `type` field is not taken for the event type, which QStash does not send.
        expectTypeOf(event.type).toEqualTypeOf<''>()
        if (event.payload.kind === 'email') expectTypeOf(event.payload.to).toEqualTypeOf<string>()
        // @ts-expect-error only after narrowing on kind
        noop(event.payload.month)
      },
    })

    createEventRouter<GitLabEvents>({ unrouted: 'ignore' })
      .on('Merge Request Hook', (event) => {
        expectTypeOf(event.payload.object_attributes.source_branch).toEqualTypeOf<string>()
      })
      .on('Push Hook', (event) => {
        expectTypeOf(event.payload.ref).toEqualTypeOf<string>()
        // @ts-expect-error a push has no object_attributes
        noop(event.payload.object_attributes)
      })
    // @ts-expect-error not a GitLab event header
    createEventRouter<GitLabEvents>({ unrouted: 'ignore' }).on('Merge Request', noop)
    createWebhookHandler({ provider: gitlab<GitLabEvents>({ secret: 'test' }), enqueue: noop })
  })

  it('provider.verify() gives the payload union of an event map, not the map marker', async () => {
    const result = await shopify<ShopifyEvents>({ secret: 'test' }).verify(
      { method: 'POST', url: 'https://example.com/', headers: {}, body: '{}' },
      { now: 0 },
    )
    if (result.ok) {
      // One of the map's payloads (the map's key rides along as a type only, for WebhookEvent).
      expectTypeOf(result.payload).toExtend<PayloadOf<ShopifyEvents>>()
      const some: PayloadOf<ShopifyEvents> = result.payload
      expectTypeOf(some).toEqualTypeOf<ShopifyOrder | ShopifyProduct | ShopifyCustomer | ShopifyShop | { id: number }>()
      expectTypeOf(result.payload.id).toEqualTypeOf<number>()
      if ('total_price' in result.payload) expectTypeOf(result.payload.total_price).toEqualTypeOf<string>()
      // @ts-expect-error not every Shopify payload has a total_price
      noop(result.payload.total_price)
    }
    const typed = await stripe<Stripe.Event>({ secret: 'whsec_test' }).verify(
      { method: 'POST', url: 'https://example.com/', headers: {}, body: '{}' },
      { now: 0 },
    )
    if (typed.ok) expectTypeOf(typed.payload.type).toEqualTypeOf<Stripe.Event['type']>()
    const untyped = await stripe({ secret: 'whsec_test' }).verify(
      { method: 'POST', url: 'https://example.com/', headers: {}, body: '{}' },
      { now: 0 },
    )
    if (untyped.ok) expectTypeOf(untyped.payload).toEqualTypeOf<unknown>()
  })

  it('untyped presets keep WebhookEvent<unknown> with type string, and any route key', () => {
    createWebhookHandler({
      provider: stripe({ secret: 'whsec_test' }),
      enqueue: (event) => {
        expectTypeOf(event.type).toEqualTypeOf<string>()
        expectTypeOf(event.payload).toEqualTypeOf<unknown>()
      },
    })
    createEventRouter({ unrouted: 'ignore' }).on('anything.at.all', (event) => {
      expectTypeOf(event).toEqualTypeOf<WebhookEvent>()
    })
  })

  it('the ordering guard plugs into a typed router; withSchemas keeps the provider typed', () => {
    const guard = createOrderingGuard({ store: memoryOrderingStore() })
    createEventRouter<Stripe.Event>({ unrouted: 'ignore', ordering: guard }).on('invoice.paid', (event) => {
      expectTypeOf(event.stale).toEqualTypeOf<boolean | undefined>()
    })
    const provider = withSchemas(stripe<Stripe.Event>({ secret: 'whsec_test' }), {
      'invoice.paid': z.looseObject({ id: z.string() }),
      '*': v.looseObject({ id: v.string() }),
      // @ts-expect-error schemas are keyed by the map's event types
      'invoice.payed': z.object({}),
    })
    createWebhookHandler({
      provider,
      enqueue: (event) => {
        if (event.type === 'invoice.paid') expectTypeOf(event.payload.data.object.amount_paid).toEqualTypeOf<number>()
      },
    })
  })

  it('the handler option `schemas` is keyed by the provider map event types', () => {
    createWebhookHandler({
      provider: shopify<ShopifyEvents>({ secret: 'test' }),
      schemas: {
        'orders/paid': z.looseObject({ total_price: z.string() }),
        '*': v.looseObject({ id: v.number() }),
        // @ts-expect-error not a Shopify topic
        'orders/payed': z.object({}),
      },
      enqueue: (event) => {
        if (event.type === 'orders/paid') expectTypeOf(event.payload.total_price).toEqualTypeOf<string>()
      },
    })
    createWebhookHandler({
      provider: stripe({ secret: 'whsec_test' }),
      // Untyped presets take any event type.
      schemas: { 'anything.at.all': z.object({}) },
      enqueue: noop,
    })
  })

  it('our Standard Schema copy agrees with @standard-schema/spec, and zod and valibot implement it', () => {
    expectTypeOf<SpecSchema<{ a: 1 }>>().toExtend<StandardSchemaV1<{ a: 1 }>>()
    expectTypeOf<StandardSchemaV1<{ a: 1 }>>().toExtend<SpecSchema<{ a: 1 }>>()
    expectTypeOf(z.object({ a: z.string() })).toExtend<StandardSchemaV1>()
    expectTypeOf(v.object({ a: v.string() })).toExtend<StandardSchemaV1>()
  })
})
