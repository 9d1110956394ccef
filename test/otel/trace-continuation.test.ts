import { propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createWebhookHandler, memoryStore, type WebhookEvent } from '../../src/index.js'
import { contextFromHeaders, withOpenTelemetry } from '../../src/otel/index.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { telemetry } from './telemetry.js'

const SECRET = 'whsec_otel_propagation'
let sdk = telemetry()
afterEach(async () => {
  propagation.disable()
  await sdk.shutdown()
  sdk = telemetry()
})

describe.each([
  ['the W3C propagator registered globally', () => propagation.setGlobalPropagator(new W3CTraceContextPropagator())],
  ['no propagator registered (the API default)', () => {}],
])('trace context through the enqueued message, with %s', (_label, register) => {
  it('a consumer reading context.headers continues the receiver trace', async () => {
    register()
    // A hand-written queue: the message is the event plus the `context.headers` enqueue was given.
    const queue: { event: WebhookEvent; headers: Record<string, string> }[] = []
    const handler = createWebhookHandler(
      withOpenTelemetry(
        {
          provider: stripe({ secret: SECRET }),
          store: memoryStore(),
          onWarning: () => {},
          enqueue: (event, { headers }) => {
            queue.push({ event, headers: { ...headers } })
          },
        },
        { tracer: sdk.tracer, meter: sdk.meter, messaging: { system: 'custom', destination: 'webhooks' } },
      ),
    )
    const response = await handler.handle(
      await signStripeRequest({ secret: SECRET, body: { id: 'evt_trace', type: 'invoice.paid', object: 'event' } }),
    )
    expect(response.status).toBe(200)
    const [message] = queue
    expect(message?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)

    // The consumer side, as a worker would do it.
    const parent = contextFromHeaders(message?.headers, ROOT_CONTEXT)
    const consumer = sdk.tracer.startSpan('process webhooks', { kind: SpanKind.CONSUMER }, parent)
    consumer.end()

    const spans = sdk.finished()
    const server = spans.find((s) => s.kind === SpanKind.SERVER)
    const send = spans.find((s) => s.name === 'send webhooks')
    const processed = spans.find((s) => s.name === 'process webhooks')
    expect(send?.kind).toBe(SpanKind.PRODUCER)
    expect(send?.attributes['messaging.destination.name']).toBe('webhooks')
    expect(send?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId)
    expect(processed?.spanContext().traceId).toBe(server?.spanContext().traceId)
    expect(processed?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId)
  })
})
