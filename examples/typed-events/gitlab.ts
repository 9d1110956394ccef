import { createEventRouter } from 'webhook-inbox'
import type { GitLabEvents } from 'webhook-inbox/events'
import { gitlab } from 'webhook-inbox/providers'

// Family J, a shared token (also postmark, microsoftGraph): our map, keyed by X-Gitlab-Event.
export const provider = gitlab<GitLabEvents>({ secret: process.env.GITLAB_WEBHOOK_TOKEN as string })
export const merged: string[] = []

export const router = createEventRouter<GitLabEvents>({ unrouted: 'ignore' }).on('Merge Request Hook', (event) => {
  const request = event.payload.object_attributes
  if (request.action === 'merge') merged.push(`!${request.iid} ${request.title}`)
})
