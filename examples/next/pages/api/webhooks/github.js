import { createWebhookHandler } from 'webhook-inbox'
import { toNextPagesRoute } from 'webhook-inbox/next'
import { github } from 'webhook-inbox/providers'
import { enqueue } from '../../../lib/inbox.js'

// Without this, Next.js parses the body and the bytes GitHub signed are gone.
export const config = { api: { bodyParser: false } }

// Lazy: created on the first request, so `next build` needs no secret.
export default toNextPagesRoute(() =>
  createWebhookHandler({
    provider: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }),
    enqueue,
    onWarning: () => {},
  }),
)
