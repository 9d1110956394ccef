import { createWebhookHandler } from 'webhook-inbox'
import { toNextPagesRoute } from 'webhook-inbox/next'
import { github } from 'webhook-inbox/providers'
import { enqueue } from '../../../lib/inbox.js'

// The mistake, on purpose: no `export const config = { api: { bodyParser: false } }`, so
// Next.js parses the body first. Every delivery is answered 500 `body_already_parsed`, whose
// message says to add that line; nothing is verified over a re-serialised body.
export default toNextPagesRoute(() =>
  createWebhookHandler({
    provider: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }),
    enqueue,
    onWarning: () => {},
  }),
)
