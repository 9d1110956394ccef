// Shared by the queue-helper tests: a Stripe handler around a given enqueue, and signed deliveries.
import { randomBytes } from 'node:crypto'
import {
  createWebhookHandler,
  type ErrorInfo,
  memoryStore,
  type WebhookEvent,
  type WebhookHandlerOptions,
} from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'

export const SECRET = 'whsec_queue_helpers'

export function runId(): string {
  return randomBytes(5).toString('hex')
}

export function stripeHandler(
  enqueue: WebhookHandlerOptions['enqueue'],
  overrides: Partial<WebhookHandlerOptions> = {},
) {
  const errors: ErrorInfo[] = []
  const handler = createWebhookHandler({
    provider: stripe({ secret: SECRET }),
    store: memoryStore(),
    onWarning: () => {},
    onError: (info) => errors.push(info),
    enqueue,
    ...overrides,
  })
  return { handler, errors }
}

export function delivery(id: string, type = 'invoice.paid') {
  return signStripeRequest({
    secret: SECRET,
    body: { id, type, object: 'event', data: { object: { id: `in_${id}` } } },
  })
}

/** The event the handler builds for {@link delivery}, as a consumer should read it back (minus the times). */
export function expectedEvent(id: string, type = 'invoice.paid'): Partial<WebhookEvent> {
  return { provider: 'stripe', id, type, payload: { id, type, object: 'event', data: { object: { id: `in_${id}` } } } }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
