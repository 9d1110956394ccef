import type { WebhookEvent as ClerkWebhookEvent } from '@clerk/backend'
import { createEventRouter } from 'webhook-inbox'
import { clerk } from 'webhook-inbox/providers'

// Family C, Standard Webhooks (also svix, resend with ResendEvents, polar): Clerk's own types.
export const provider = clerk<ClerkWebhookEvent>({ secret: process.env.CLERK_WEBHOOK_SECRET as string })
export const users = new Map<string, string | undefined>()

export const router = createEventRouter<ClerkWebhookEvent>({ unrouted: 'ignore' }).on('user.created', (event) => {
  const user = event.payload.data // UserJSON from @clerk/backend
  users.set(user.id, user.email_addresses[0]?.email_address)
})
