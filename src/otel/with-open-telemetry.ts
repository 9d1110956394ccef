import type { WebhookHandlerOptions } from '../core/options.js'
import type { InboxWorkerOptions } from '../inbox/types.js'
import { instrumentHandler, type OpenTelemetryOptions } from './handler.js'
import { instrumentWorker } from './worker.js'

/**
 * Adds OpenTelemetry traces and metrics to the options of `createWebhookHandler` or of
 * `createInboxWorker`, and returns them; your own hooks (`onAccepted`, `onRejected`, `onDead`,
 * ...) are left as they are and still fire. Never records a secret, a signature, a payload, a
 * URL path or an error message.
 *
 * - Handler options: a SERVER span per delivery (HTTP server conventions, webhook attributes),
 *   child spans for verify, the store calls and the enqueue hand-off (messaging `send`),
 *   `traceparent`/`tracestate` in `enqueue`'s `context.headers`, and the delivery metrics.
 * - Worker options: a CONSUMER span per processing attempt, processed / retried / dead
 *   counters, the processing duration and the inbox lag gauge.
 *
 * Uses the global tracer and meter providers of `@opentelemetry/api` (an optional peer
 * dependency) unless `tracer` or `meter` is given. Handlers and workers built without it do no
 * instrumentation work. Names are listed in the README "Observability" section.
 *
 * @example
 * import { createInboxWorker, createWebhookHandler, memoryInbox } from 'webhook-inbox'
 * import { withOpenTelemetry } from 'webhook-inbox/otel'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const inbox = memoryInbox()
 * const handler = createWebhookHandler(
 *   withOpenTelemetry(
 *     {
 *       provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *       inbox,
 *     },
 *     { route: '/webhooks/stripe' },
 *   ),
 * )
 * const worker = createInboxWorker(
 *   withOpenTelemetry({ inbox, process: async (event) => { console.log('processing', event.id) } }),
 * )
 * worker.start()
 */
export function withOpenTelemetry<T>(
  options: WebhookHandlerOptions<T>,
  telemetry?: OpenTelemetryOptions,
): WebhookHandlerOptions<T>
export function withOpenTelemetry<T>(
  options: InboxWorkerOptions<T>,
  telemetry?: Pick<OpenTelemetryOptions, 'tracer' | 'meter' | 'messaging'>,
): InboxWorkerOptions<T>
export function withOpenTelemetry<T>(
  options: WebhookHandlerOptions<T> | InboxWorkerOptions<T>,
  telemetry: OpenTelemetryOptions = {},
): WebhookHandlerOptions<T> | InboxWorkerOptions<T> {
  const candidate = options as Partial<InboxWorkerOptions<T>> & Partial<WebhookHandlerOptions<T>>
  if (candidate && candidate.provider === undefined && typeof candidate.process === 'function' && candidate.inbox) {
    return instrumentWorker(options as InboxWorkerOptions<T>, telemetry)
  }
  return instrumentHandler(options as WebhookHandlerOptions<T>, telemetry)
}
