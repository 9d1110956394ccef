// Metric and attribute names of webhook-inbox/otel. The README "Observability" tables list
// them; they follow the OpenTelemetry naming rules (dot-separated namespaces, units in the
// instrument's unit and not its name, no `_total` suffix) and are stable from this release on.

/** Instrumentation scope name of the tracer and meter taken from the global providers. */
export const INSTRUMENTATION_SCOPE = 'webhook-inbox'

/**
 * Every metric name `webhook-inbox/otel` records, for dashboards and alerts built in code.
 *
 * @example
 * import { OTEL_METRICS } from 'webhook-inbox/otel'
 * console.log(OTEL_METRICS.deliveries) // 'webhook.deliveries'
 */
export const METRIC = {
  deliveries: 'webhook.deliveries',
  deliveryDuration: 'webhook.delivery.duration',
  activeDeliveries: 'webhook.deliveries.active',
  verificationFailures: 'webhook.verification.failures',
  verifyDuration: 'webhook.verify.duration',
  storeDuration: 'webhook.store.duration',
  enqueueDuration: 'webhook.enqueue.duration',
  workerProcessed: 'webhook.inbox.processed',
  workerRetried: 'webhook.inbox.retried',
  workerDead: 'webhook.inbox.dead',
  workerDuration: 'webhook.inbox.process.duration',
  workerLag: 'webhook.inbox.lag',
} as const

/**
 * Every attribute name `webhook-inbox/otel` sets on spans and metric points.
 *
 * @example
 * import { OTEL_ATTRIBUTES } from 'webhook-inbox/otel'
 * console.log(OTEL_ATTRIBUTES.outcome) // 'webhook.outcome'
 */
export const ATTR = {
  provider: 'webhook.provider',
  eventId: 'webhook.event.id',
  eventType: 'webhook.event.type',
  outcome: 'webhook.outcome',
  duplicate: 'webhook.duplicate',
  inFlight: 'webhook.in_flight',
  storeOperation: 'webhook.store.operation',
  inboxAttempt: 'webhook.inbox.attempt',
  errorType: 'error.type',
  httpMethod: 'http.request.method',
  httpMethodOriginal: 'http.request.method_original',
  httpRoute: 'http.route',
  httpStatus: 'http.response.status_code',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  userAgent: 'user_agent.original',
  messagingSystem: 'messaging.system',
  messagingOperationName: 'messaging.operation.name',
  messagingOperationType: 'messaging.operation.type',
  messagingDestination: 'messaging.destination.name',
} as const

/**
 * What a delivery ended as: the `webhook.outcome` attribute.
 *
 * @example
 * import type { DeliveryOutcome } from 'webhook-inbox/otel'
 * const alerting: DeliveryOutcome[] = ['failed']
 */
export type DeliveryOutcome = 'accepted' | 'duplicate' | 'handshake' | 'rejected' | 'in_flight' | 'failed'

/** Histogram buckets in seconds: a delivery is milliseconds; a provider gives up after 3 to 30 s. */
export const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
