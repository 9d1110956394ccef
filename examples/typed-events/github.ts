import { createEventRouter, createWebhookHandler, type WebhookEvent } from 'webhook-inbox'
import type { GitHubEvents } from 'webhook-inbox/events/github'
import { github } from 'webhook-inbox/providers'

export const queue: WebhookEvent<GitHubEvents>[] = []
export const opened: string[] = []

export const handler = createWebhookHandler({
  provider: github<GitHubEvents>({ secret: process.env.GITHUB_WEBHOOK_SECRET as string }),
  enqueue: async (event) => {
    queue.push(event)
  },
})

export const router = createEventRouter<GitHubEvents>({ unrouted: 'ignore' })
  .on('issues.opened', (event) => {
    opened.push(`#${event.payload.issue.number} ${event.payload.issue.title}`) // action is 'opened'
  })
  .on('pull_request.*', (event) => {
    console.log(event.payload.action, event.payload.pull_request.merged)
  })
