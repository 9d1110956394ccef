import { createWebhookHandler } from 'webhook-inbox'
import { toNextPagesRoute } from 'webhook-inbox/next'
import { github } from 'webhook-inbox/providers'
import { enqueue, secretFromEnv } from '../../../lib/inbox.js'

// Without this, Next.js parses the body and the bytes GitHub signed are gone.
export const config = { api: { bodyParser: false } }

const handler = createWebhookHandler({
  provider: github({ secret: secretFromEnv('GITHUB_WEBHOOK_SECRET') }),
  enqueue,
  onWarning: () => {},
})

export default toNextPagesRoute(handler)
