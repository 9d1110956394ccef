import { createWebhookHandler, type WebhookHandlerOptions } from '../../src/index.js'
import type { Provider, WebhookEvent } from '../../src/types.js'

/** A handler that collects what it enqueues, for the security tests. */
export function receiver(provider: Provider, options: Partial<WebhookHandlerOptions> = {}) {
  const events: WebhookEvent[] = []
  const duplicates: string[] = []
  const handler = createWebhookHandler({
    provider,
    enqueue: async (event) => {
      events.push(event)
    },
    onDuplicate: ({ id }) => {
      duplicates.push(id)
    },
    onWarning: () => {},
    ...options,
  })
  return { handler, events, duplicates }
}
