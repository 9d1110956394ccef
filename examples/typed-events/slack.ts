import { createEventRouter, createWebhookHandler, type WebhookEvent } from 'webhook-inbox'
import type { SlackEvents } from 'webhook-inbox/events/slack'
import { slack } from 'webhook-inbox/providers'

export const queue: WebhookEvent<SlackEvents>[] = []
export const mentions: string[] = []

export const handler = createWebhookHandler({
  provider: slack<SlackEvents>({ secret: process.env.SLACK_SIGNING_SECRET as string }),
  enqueue: async (event) => {
    queue.push(event)
  },
})

export const router = createEventRouter<SlackEvents>({ unrouted: 'ignore' }).on('app_mention', (event) => {
  mentions.push(event.payload.event.text) // AppMentionEvent from @slack/types
})
