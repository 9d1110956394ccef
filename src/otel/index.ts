/**
 * webhook-inbox/otel: OpenTelemetry traces and metrics for the webhook handler and the inbox
 * worker, through `@opentelemetry/api` (an optional peer dependency). Names are listed in the
 * README "Observability" section.
 * @module
 */
export type { OpenTelemetryOptions } from './handler.js'
export { ATTR as OTEL_ATTRIBUTES, type DeliveryOutcome, METRIC as OTEL_METRICS } from './names.js'
export { contextFromHeaders } from './propagation.js'
export { withOpenTelemetry } from './with-open-telemetry.js'
