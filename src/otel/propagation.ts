import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * Writes the trace context of `ctx` into `headers` through the global propagator. When no
 * W3C propagator is registered (the API's default propagator writes nothing), `traceparent`
 * and `tracestate` are written directly, so a queued message always carries its trace.
 */
export function injectTraceContext(ctx: Context, headers: Record<string, string>): void {
  propagation.inject(ctx, headers)
  if (headers.traceparent !== undefined) return
  const span = trace.getSpanContext(ctx)
  if (!span || !isSpanContextValid(span)) return
  headers.traceparent = `00-${span.traceId}-${span.spanId}-0${(span.traceFlags & TraceFlags.SAMPLED).toString(16)}`
  const state = span.traceState?.serialize()
  if (state) headers.tracestate = state
}

/**
 * The trace context a queued webhook message carries, to continue the receiver's trace in
 * your consumer: the parent for the span you start around processing. Reads `traceparent`
 * (and whatever else the global propagator reads) from the message headers.
 *
 * @example
 * import { trace } from '@opentelemetry/api'
 * import type { WebhookEvent } from 'webhook-inbox'
 * import { contextFromHeaders } from 'webhook-inbox/otel'
 *
 * // In your consumer, for a message whose headers are what `enqueue` got in `context.headers`:
 * async function onMessage(message: { event: WebhookEvent; headers: Record<string, string> }) {
 *   const parent = contextFromHeaders(message.headers)
 *   const span = trace.getTracer('consumer').startSpan('process webhooks', {}, parent)
 *   try {
 *     console.log('processing', message.event.id)
 *   } finally {
 *     span.end()
 *   }
 * }
 */
export function contextFromHeaders(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  base: Context = context.active(),
): Context {
  if (!headers) return base
  const extracted = propagation.extract(base, headers)
  if (trace.getSpanContext(extracted) !== trace.getSpanContext(base)) return extracted
  const match = TRACEPARENT.exec(headers.traceparent?.trim().toLowerCase() ?? '')
  if (!match) return base
  const parent: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  }
  return isSpanContextValid(parent) ? trace.setSpanContext(base, parent) : base
}
