import { createEventRouter } from 'webhook-inbox'
import type { SendGridEvents } from 'webhook-inbox/events'
import { sendgrid } from 'webhook-inbox/providers'

// Family G, ECDSA: a delivery is a batch, typed by its events' common `event` (else 'batch').
export const provider = sendgrid<SendGridEvents>({ publicKey: process.env.SENDGRID_VERIFICATION_KEY as string })
export const bounced = new Set<string>()

export const router = createEventRouter<SendGridEvents>({ unrouted: 'ignore' })
  .on('bounce', (event) => {
    for (const item of event.payload) bounced.add(item.email)
  })
  .on('batch', (event) => {
    for (const item of event.payload) if (item.event === 'bounce') bounced.add(item.email)
  })
