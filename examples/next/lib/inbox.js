// Stands in for your queue (BullMQ, SQS, a jobs table...). Kept on globalThis because Next.js
// bundles each route separately: a module-level array would not be shared between routes.
const shared = /** @type {{ __webhookInboxExample?: import('webhook-inbox').WebhookEvent[] }} */ (globalThis)

/** Events enqueued so far by this server process. */
export function inbox() {
  shared.__webhookInboxExample ??= []
  return shared.__webhookInboxExample
}

/**
 * The `enqueue` of the Node.js routes: resolves once the event is stored.
 * @param {import('webhook-inbox').WebhookEvent} event
 */
export async function enqueue(event) {
  inbox().push(event)
}
