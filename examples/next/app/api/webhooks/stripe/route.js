import { createWebhookHandler } from 'webhook-inbox'
import { toNextRoute } from 'webhook-inbox/next'
import { stripe } from 'webhook-inbox/providers'
import { enqueue, secretFromEnv } from '../../../../lib/inbox.js'

export const runtime = 'nodejs'

const handler = createWebhookHandler({
  provider: stripe({ secret: secretFromEnv('STRIPE_WEBHOOK_SECRET') }),
  enqueue,
  // One process here; with several, pass redisStore or postgresStore (README, "Running several instances").
  onWarning: () => {},
})

// The untouched Request goes to the handler, which reads the raw bytes once.
export const POST = toNextRoute(handler)
