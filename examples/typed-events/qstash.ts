import type { WebhookEvent } from 'webhook-inbox'
import type { QStashEvents } from 'webhook-inbox/events'
import { qstash } from 'webhook-inbox/providers'

// Family I, a JWT signs (also plaid): QStash delivers your own messages and has no event type.
export type Job = { kind: 'send-email'; to: string } | { kind: 'monthly-report'; month: string }
export const provider = qstash<QStashEvents<Job>>({
  secret: [process.env.QSTASH_CURRENT_SIGNING_KEY, process.env.QSTASH_NEXT_SIGNING_KEY],
})
export const done: string[] = []

export async function runJob(event: WebhookEvent<QStashEvents<Job>>) {
  if (event.payload.kind === 'send-email') done.push(`email to ${event.payload.to}`)
  else done.push(`report for ${event.payload.month}`)
}
