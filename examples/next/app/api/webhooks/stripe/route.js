import { createWebhookHandler } from 'webhook-inbox'
import { toNextRoute } from 'webhook-inbox/next'
import { stripe } from 'webhook-inbox/providers'
import { enqueue } from '../../../../lib/inbox.js'

export const runtime = 'nodejs'

// The lazy form: the handler is created on the first request, not while `next build` loads
// this module, so the build needs no secret. Until STRIPE_WEBHOOK_SECRET is set, deliveries
// get 500 `invalid_config` (Stripe retries) and the server log says what is missing.
export const POST = toNextRoute(() =>
  createWebhookHandler({
    provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
    enqueue,
    // One process here; with several, pass redisStore or postgresStore (README, "Running several instances").
    onWarning: () => {},
  }),
)
