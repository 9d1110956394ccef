// Sample events written for this project (shapes follow each provider's published schema; the
// values are invented). Used by `webhook-inbox send|simulate --event <type>` and by users' tests.

/**
 * Providers with sample events.
 *
 * @example
 * import { SAMPLE_PROVIDERS, sampleEventTypes } from 'webhook-inbox/testing'
 * for (const provider of SAMPLE_PROVIDERS) console.log(provider, sampleEventTypes(provider))
 */
export const SAMPLE_PROVIDERS = [
  'stripe',
  'github',
  'slack',
  'shopify',
  'standard-webhooks',
  'twilio',
  'discord',
  'paddle',
  'linear',
] as const

/** A provider that {@link sampleEvent} has samples for. */
export type SampleProvider = (typeof SAMPLE_PROVIDERS)[number]

/** Options of {@link sampleEvent}. */
export interface SampleEventOptions {
  /** The event id (where the provider carries one: body or header). @default a fixed id per sample */
  id?: string
  /** Event time, epoch ms, written into the body's timestamps. @default 2026-03-02T09:15:27Z */
  now?: number
}

/** One sample event, ready to sign with the provider's signer from `webhook-inbox/testing`. */
export interface SampleEvent {
  provider: SampleProvider
  /**
   * The sample's name, which is the event type the preset reports (GitHub `X-GitHub-Event`,
   * Shopify `X-Shopify-Topic`, Stripe `type`, ...). Discord interactions are the exception: the
   * preset reports the numeric interaction type (`APPLICATION_COMMAND` is `2`).
   */
  type: string
  /** The event id: in the body for Stripe, Slack, Paddle and Discord interactions; a header for the others. */
  id: string
  /** The JSON body, or for Twilio the form fields. */
  body: Record<string, unknown>
}

interface Context {
  id: string
  now: number
  iso: string
  seconds: number
}

type Build = (context: Context) => Record<string, unknown>

const DEFAULT_NOW = Date.UTC(2026, 2, 2, 9, 15, 27)

const repository = {
  id: 771_203_448,
  name: 'storefront',
  full_name: 'acme-labs/storefront',
  private: true,
  owner: { login: 'acme-labs', id: 90_114_227, type: 'Organization' },
  html_url: 'https://github.com/acme-labs/storefront',
  default_branch: 'main',
}
const sender = { login: 'mkovacs', id: 5_520_193, type: 'User' }

const stripeEvent =
  (type: string, object: (c: Context) => Record<string, unknown>): Build =>
  (c) => ({
    id: c.id,
    object: 'event',
    api_version: '2025-11-17.clover',
    created: c.seconds,
    data: { object: object(c) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: 'req_Qm4cT8vW2xLp7a', idempotency_key: '5f0c6a2e-9a4b-4f1e-8d53-1c7b0e3f2a91' },
    type,
  })

const slackEvent =
  (event: (c: Context) => Record<string, unknown>): Build =>
  (c) => ({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: 'T04KX7N2R9B',
    api_app_id: 'A06RB4QW1ZP',
    event: event(c),
    type: 'event_callback',
    event_id: c.id,
    event_time: c.seconds,
    authorizations: [{ team_id: 'T04KX7N2R9B', user_id: 'U06RB51H8MK', is_bot: true }],
    is_ext_shared_channel: false,
  })

const address = {
  first_name: 'Ines',
  last_name: 'Duarte',
  address1: 'Rua das Flores 112',
  city: 'Porto',
  zip: '4050-265',
  country_code: 'PT',
}

const shopifyOrder = (c: Context, financial: string): Record<string, unknown> => ({
  id: 5_981_446_283_391,
  admin_graphql_api_id: 'gid://shopify/Order/5981446283391',
  name: '#1042',
  email: 'ines.duarte@example.com',
  created_at: c.iso,
  updated_at: c.iso,
  currency: 'EUR',
  financial_status: financial,
  fulfillment_status: null,
  total_price: '68.40',
  subtotal_price: '59.00',
  total_tax: '9.40',
  line_items: [
    { id: 14_553_918_046_335, sku: 'MUG-ENAMEL-BLU', title: 'Enamel camp mug', quantity: 2, price: '18.00' },
    { id: 14_553_918_079_103, sku: 'TOTE-CANVAS', title: 'Canvas tote', quantity: 1, price: '23.00' },
  ],
  shipping_address: address,
})

const standardEvent =
  (type: string, data: (c: Context) => Record<string, unknown>): Build =>
  (c) => ({ type, timestamp: c.iso, data: data(c) })

const twilioMessage = (status: string, extra: Record<string, string>): Build => {
  return (c) => ({
    AccountSid: 'AC3f0e2d9b7c6a5e4f3d2c1b0a9e8d7c6b',
    MessageSid: `SM${c.id
      .replace(/[^0-9a-f]/gi, '')
      .padEnd(32, '0')
      .slice(0, 32)}`,
    From: '+15017122661',
    To: '+351912345678',
    ApiVersion: '2010-04-01',
    ...extra,
    MessageStatus: status,
    SmsStatus: status,
  })
}

const paddleEvent =
  (type: string, data: (c: Context) => Record<string, unknown>): Build =>
  (c) => ({
    event_id: c.id,
    event_type: type,
    occurred_at: c.iso,
    notification_id: `ntf_${c.id.replace(/^evt_/, '')}`,
    data: data(c),
  })

const linearEvent =
  (type: string, action: string, data: (c: Context) => Record<string, unknown>): Build =>
  (c) => ({
    action,
    actor: { id: 'b5e2c7d1-0f3a-4e8b-9c6d-2a1f7e4b3c90', name: 'Priya Raman', type: 'user' },
    createdAt: c.iso,
    data: data(c),
    url: 'https://linear.app/acme/issue/STO-318/checkout-button-stays-disabled-after-coupon-removal',
    type,
    organizationId: '3d9f1b7e-6c2a-4e5d-8f0b-1a2c3d4e5f60',
    webhookId: '7e1c5a9b-3d2f-4b6e-8a0c-9f8e7d6c5b4a',
  })

const linearIssue = (c: Context): Record<string, unknown> => ({
  id: '0c8e4f2a-7b1d-4a3e-9f5c-6d2b8a1e7c30',
  identifier: 'STO-318',
  title: 'Checkout button stays disabled after coupon removal',
  priority: 2,
  state: { id: 'a1b2c3d4-0000-4000-8000-00000000c0de', name: 'In Progress', type: 'started' },
  team: { id: 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f', key: 'STO', name: 'Storefront' },
  createdAt: c.iso,
  updatedAt: c.iso,
})

const discordUser = { id: '1187342209183457300', username: 'ines.d', global_name: 'Ines', avatar: null }

const SAMPLES: Record<SampleProvider, { defaultId: string; types: Record<string, Build> }> = {
  stripe: {
    defaultId: 'evt_3QxN7cLkd82JfR0a1bXq9ZpT',
    types: {
      'payment_intent.succeeded': stripeEvent('payment_intent.succeeded', () => ({
        id: 'pi_3QxN7cLkd82JfR0a1Hc4Tq8M',
        object: 'payment_intent',
        amount: 6840,
        amount_received: 6840,
        currency: 'eur',
        customer: 'cus_RkT2mV9pQa4LxZ',
        payment_method: 'pm_1QxN7bLkd82JfR0aW3nYb6Ke',
        status: 'succeeded',
        metadata: { order_id: '1042' },
      })),
      'checkout.session.completed': stripeEvent('checkout.session.completed', () => ({
        id: 'cs_test_a1Rk5mP2xV8qL3zT9wN4bC7dE0fG6hJ',
        object: 'checkout.session',
        amount_total: 2900,
        currency: 'usd',
        customer: 'cus_RkT2mV9pQa4LxZ',
        mode: 'subscription',
        payment_status: 'paid',
        status: 'complete',
        subscription: 'sub_1QxN8aLkd82JfR0aFq2Lm7Vs',
      })),
      'invoice.paid': stripeEvent('invoice.paid', (c) => ({
        id: 'in_1QxN8bLkd82JfR0aTy5Rn2Wd',
        object: 'invoice',
        amount_paid: 2900,
        currency: 'usd',
        customer: 'cus_RkT2mV9pQa4LxZ',
        number: 'ACME-0192',
        period_end: c.seconds,
        period_start: c.seconds - 30 * 86_400,
        status: 'paid',
        subscription: 'sub_1QxN8aLkd82JfR0aFq2Lm7Vs',
      })),
      'customer.subscription.deleted': stripeEvent('customer.subscription.deleted', (c) => ({
        id: 'sub_1QxN8aLkd82JfR0aFq2Lm7Vs',
        object: 'subscription',
        canceled_at: c.seconds,
        cancellation_details: { reason: 'cancellation_requested', feedback: 'too_expensive' },
        customer: 'cus_RkT2mV9pQa4LxZ',
        status: 'canceled',
      })),
    },
  },
  github: {
    defaultId: '6f1c2b40-1d7e-11f1-8a5e-3c7d9b2e4f10',
    types: {
      push: () => ({
        ref: 'refs/heads/main',
        before: '4b7d3e1f9a2c6b8d0e5f7a1c3b9d2e6f8a0c4b1d',
        after: '9e2a6c4b1d8f3e7a5c0b2d9f6e1a4c8b3d7f0e2a',
        created: false,
        deleted: false,
        forced: false,
        commits: [
          {
            id: '9e2a6c4b1d8f3e7a5c0b2d9f6e1a4c8b3d7f0e2a',
            message: 'Re-enable checkout button when a coupon is removed',
            author: { name: 'Marta Kovacs', email: 'marta@acme-labs.example' },
            added: [],
            removed: [],
            modified: ['src/checkout/CouponField.tsx'],
          },
        ],
        pusher: { name: 'mkovacs', email: 'marta@acme-labs.example' },
        repository,
        sender,
      }),
      pull_request: () => ({
        action: 'opened',
        number: 318,
        pull_request: {
          id: 2_214_907_331,
          number: 318,
          state: 'open',
          title: 'Re-enable checkout button when a coupon is removed',
          draft: false,
          head: { ref: 'fix/coupon-removal', sha: '9e2a6c4b1d8f3e7a5c0b2d9f6e1a4c8b3d7f0e2a' },
          base: { ref: 'main', sha: '4b7d3e1f9a2c6b8d0e5f7a1c3b9d2e6f8a0c4b1d' },
          user: sender,
        },
        repository,
        sender,
      }),
      issues: () => ({
        action: 'opened',
        issue: {
          id: 2_870_113_905,
          number: 319,
          title: 'Order confirmation email shows the wrong currency',
          state: 'open',
          labels: [{ name: 'bug' }],
          user: sender,
        },
        repository,
        sender,
      }),
      workflow_run: () => ({
        action: 'completed',
        workflow_run: {
          id: 12_904_557_120,
          name: 'CI',
          head_branch: 'main',
          head_sha: '9e2a6c4b1d8f3e7a5c0b2d9f6e1a4c8b3d7f0e2a',
          status: 'completed',
          conclusion: 'success',
          run_attempt: 1,
        },
        repository,
        sender,
      }),
    },
  },
  slack: {
    defaultId: 'Ev08F2K7Q1RZ',
    types: {
      app_mention: slackEvent((c) => ({
        type: 'app_mention',
        user: 'U04L2B9QH7T',
        text: '<@U06RB51H8MK> what is the status of order 1042?',
        ts: `${c.seconds}.002100`,
        channel: 'C05QJ8V2M4N',
        event_ts: `${c.seconds}.002100`,
      })),
      message: slackEvent((c) => ({
        type: 'message',
        channel_type: 'channel',
        user: 'U04L2B9QH7T',
        text: 'Deploy of storefront finished',
        ts: `${c.seconds}.000300`,
        channel: 'C05QJ8V2M4N',
        event_ts: `${c.seconds}.000300`,
      })),
      reaction_added: slackEvent((c) => ({
        type: 'reaction_added',
        user: 'U04L2B9QH7T',
        reaction: 'white_check_mark',
        item: { type: 'message', channel: 'C05QJ8V2M4N', ts: `${c.seconds - 60}.000300` },
        item_user: 'U06RB51H8MK',
        event_ts: `${c.seconds}.004500`,
      })),
      team_join: slackEvent((c) => ({
        type: 'team_join',
        user: { id: 'U08A1MZ3K5P', name: 'ines.duarte', real_name: 'Ines Duarte', tz: 'Europe/Lisbon' },
        event_ts: `${c.seconds}.000100`,
      })),
    },
  },
  shopify: {
    defaultId: '0b4f5e8c-6a1d-4c2b-9e3f-7d8a1b2c3d4e',
    types: {
      'orders/create': (c) => shopifyOrder(c, 'pending'),
      'orders/paid': (c) => shopifyOrder(c, 'paid'),
      'products/update': (c) => ({
        id: 8_832_517_455_999,
        title: 'Enamel camp mug',
        handle: 'enamel-camp-mug',
        status: 'active',
        updated_at: c.iso,
        variants: [{ id: 47_113_554_080_127, sku: 'MUG-ENAMEL-BLU', price: '18.00', inventory_quantity: 41 }],
      }),
      'customers/create': (c) => ({
        id: 7_402_911_088_767,
        email: 'ines.duarte@example.com',
        first_name: 'Ines',
        last_name: 'Duarte',
        created_at: c.iso,
        verified_email: true,
        default_address: address,
      }),
      'app/uninstalled': () => ({ id: 68_219_704_447, name: 'Acme Mugs', domain: 'acme-mugs.example.com' }),
    },
  },
  'standard-webhooks': {
    defaultId: 'msg_2sQ9vYb4KcT1mL7xR3pN8dF0wZ',
    types: {
      'user.created': standardEvent('user.created', (c) => ({
        id: 'usr_5kP2qR8vN1',
        email: 'ines.duarte@example.com',
        name: 'Ines Duarte',
        created_at: c.iso,
      })),
      'invoice.paid': standardEvent('invoice.paid', (c) => ({
        id: 'inv_8tW3mK6pQ2',
        customer_id: 'cus_4hR7nB2xL9',
        amount: 4900,
        currency: 'USD',
        paid_at: c.iso,
      })),
      'subscription.canceled': standardEvent('subscription.canceled', (c) => ({
        id: 'sub_1xV9cN3kT7',
        customer_id: 'cus_4hR7nB2xL9',
        plan: 'team-monthly',
        canceled_at: c.iso,
        reason: 'customer_request',
      })),
    },
  },
  twilio: {
    defaultId: '4e9b1c7a-2f3d-4a5e-8b6c-0d1e2f3a4b5c',
    types: {
      delivered: twilioMessage('delivered', { NumSegments: '1' }),
      undelivered: twilioMessage('undelivered', { ErrorCode: '30003' }),
      received: twilioMessage('received', {
        Body: 'STOP sending promos please',
        NumMedia: '0',
        FromCountry: 'PT',
        MessagingServiceSid: 'MG9d2e1f0a8b7c6d5e4f3a2b1c0d9e8f7a',
      }),
    },
  },
  discord: {
    defaultId: '1219838420154384415',
    types: {
      APPLICATION_COMMAND: (c) => ({
        id: c.id,
        application_id: '1187340012346728448',
        type: 2,
        token: 'aW50ZXJhY3Rpb246MTIxOTgzODQyMDE1NDM4NDQxNTpzYW1wbGUtdG9rZW4',
        version: 1,
        guild_id: '1090211733458841600',
        channel_id: '1090211734150893568',
        member: { user: discordUser, roles: [], permissions: '2147483647' },
        data: {
          id: '1188001122334455667',
          name: 'order',
          type: 1,
          options: [{ name: 'number', type: 4, value: 1042 }],
        },
      }),
      MESSAGE_COMPONENT: (c) => ({
        id: c.id,
        application_id: '1187340012346728448',
        type: 3,
        token: 'aW50ZXJhY3Rpb246MTIxOTgzODQyMDE1NDM4NDQxNjpzYW1wbGUtdG9rZW4',
        version: 1,
        guild_id: '1090211733458841600',
        channel_id: '1090211734150893568',
        member: { user: discordUser, roles: [], permissions: '2147483647' },
        message: { id: '1219838311922745375', content: 'Refund order 1042?' },
        data: { custom_id: 'refund:1042:confirm', component_type: 2 },
      }),
      APPLICATION_AUTHORIZED: (c) => ({
        version: 1,
        application_id: '1187340012346728448',
        type: 1,
        event: {
          type: 'APPLICATION_AUTHORIZED',
          timestamp: c.iso,
          data: { integration_type: 0, scopes: ['applications.commands'], user: { ...discordUser, id: c.id } },
        },
      }),
    },
  },
  paddle: {
    defaultId: 'evt_01jnq8b2k7f4x9m3c5v1t6r0wz',
    types: {
      'transaction.completed': paddleEvent('transaction.completed', (c) => ({
        id: 'txn_01jnq8a9z3y2x1w0v9u8t7s6r5',
        status: 'completed',
        customer_id: 'ctm_01jnq7x4m2p8r6t4v2x0z8b6d4',
        currency_code: 'EUR',
        origin: 'web',
        billed_at: c.iso,
        items: [{ price_id: 'pri_01jnq70c8e6g4i2k0m8o6q4s2u', quantity: 1 }],
        details: { totals: { subtotal: '2400', tax: '552', total: '2952' } },
      })),
      'subscription.created': paddleEvent('subscription.created', (c) => ({
        id: 'sub_01jnq8c4e6g8i0k2m4o6q8s0u2',
        status: 'active',
        customer_id: 'ctm_01jnq7x4m2p8r6t4v2x0z8b6d4',
        currency_code: 'EUR',
        billing_cycle: { interval: 'month', frequency: 1 },
        started_at: c.iso,
        next_billed_at: new Date(c.now + 30 * 86_400_000).toISOString(),
      })),
      'subscription.canceled': paddleEvent('subscription.canceled', (c) => ({
        id: 'sub_01jnq8c4e6g8i0k2m4o6q8s0u2',
        status: 'canceled',
        customer_id: 'ctm_01jnq7x4m2p8r6t4v2x0z8b6d4',
        canceled_at: c.iso,
      })),
    },
  },
  linear: {
    defaultId: '2a7f9c1e-5b3d-4e8a-b6c0-d4e2f1a9b8c7',
    types: {
      Issue: linearEvent('Issue', 'create', linearIssue),
      Comment: linearEvent('Comment', 'create', (c) => ({
        id: '5f3e1d9c-7b2a-4c8e-a6d4-b2c0e8f6a4d2',
        body: 'Reproduced on Safari 18 as well; the coupon field keeps its `disabled` state.',
        issueId: '0c8e4f2a-7b1d-4a3e-9f5c-6d2b8a1e7c30',
        userId: 'b5e2c7d1-0f3a-4e8b-9c6d-2a1f7e4b3c90',
        createdAt: c.iso,
      })),
      Project: linearEvent('Project', 'update', (c) => ({
        id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
        name: 'Checkout reliability',
        state: 'started',
        progress: 0.42,
        targetDate: '2026-04-30',
        updatedAt: c.iso,
      })),
    },
  },
}

function isSampleProvider(provider: string): provider is SampleProvider {
  return Object.hasOwn(SAMPLES, provider)
}

/**
 * The event types {@link sampleEvent} has for `provider` (empty for a provider without samples).
 *
 * @example
 * import { sampleEventTypes } from 'webhook-inbox/testing'
 * sampleEventTypes('stripe') // ['payment_intent.succeeded', 'checkout.session.completed', ...]
 */
export function sampleEventTypes(provider: string): string[] {
  return isSampleProvider(provider) ? Object.keys(SAMPLES[provider].types) : []
}

/**
 * A realistic sample event of `provider` (see `SAMPLE_PROVIDERS`), for unit tests and for
 * `webhook-inbox send --event`. Deterministic: the same arguments give the same body. Sign it with
 * the provider's signer. Throws a `TypeError` listing what exists for an unknown provider or type.
 *
 * @example
 * import { sampleEvent, signStripeRequest } from 'webhook-inbox/testing'
 * const event = sampleEvent('stripe', 'payment_intent.succeeded', { id: 'evt_test_1' })
 * const request = await signStripeRequest({ secret: 'whsec_test', body: event.body })
 */
export function sampleEvent(provider: string, type: string, options: SampleEventOptions = {}): SampleEvent {
  if (!isSampleProvider(provider)) {
    throw new TypeError(
      `[webhook-inbox] no sample events for provider "${provider}"; samples exist for: ${SAMPLE_PROVIDERS.join(', ')}.`,
    )
  }
  const samples = SAMPLES[provider]
  const build = Object.hasOwn(samples.types, type) ? samples.types[type] : undefined
  if (!build) {
    throw new TypeError(
      `[webhook-inbox] [${provider}] no sample event "${type}"; known: ${Object.keys(samples.types).join(', ')}.`,
    )
  }
  const now = options.now ?? DEFAULT_NOW
  const id = options.id ?? samples.defaultId
  const body = build({ id, now, iso: new Date(now).toISOString(), seconds: Math.floor(now / 1000) })
  return { provider, type, id, body }
}
