// npm run examples — OpenTelemetry traces and metrics for a webhook receiver, printed to the console.
// A node:http server on 127.0.0.1 receives four Stripe deliveries (accepted, its duplicate, a
// forged one, one whose queue is down), then a handler with an inbox accepts one more and an
// inbox worker processes it (failing once, then succeeding); every span is printed as one line
// when it ends, and the metrics once at the end. In production, replace the two console exporters with OTLP (or the
// Prometheus exporter) and keep the rest.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Attributes, metrics, trace } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { createInboxWorker, createWebhookHandler, memoryInbox, memoryStore } from 'webhook-inbox'
import { toNodeListener } from 'webhook-inbox/node'
import { withOpenTelemetry } from 'webhook-inbox/otel'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest, toFetchRequest } from 'webhook-inbox/testing'

const show = (attributes: Attributes) =>
  Object.entries(attributes)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')

// One line per span: name, kind, status, duration and attributes.
const spanPrinter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    for (const span of spans) {
      const ms = (span.duration[0] * 1e3 + span.duration[1] / 1e6).toFixed(2)
      const indent = span.parentSpanContext ? '    ' : ''
      console.log(`${indent}span ${span.name} [status ${span.status.code}] ${ms} ms ${show(span.attributes)}`)
    }
    done({ code: ExportResultCode.SUCCESS })
  },
  shutdown: async () => {},
}

// One line per data point: counters and gauges show their value, histograms their count and sum.
const metricPrinter: PushMetricExporter = {
  export(batch: ResourceMetrics, done) {
    for (const metric of batch.scopeMetrics.flatMap((scope) => scope.metrics)) {
      for (const point of metric.dataPoints) {
        const value = point.value
        const shown = typeof value === 'number' ? String(value) : `count=${value.count} sum=${value.sum?.toFixed(4)}s`
        console.log(`metric ${metric.descriptor.name} ${shown} ${show(point.attributes)}`)
      }
    }
    done({ code: ExportResultCode.SUCCESS })
  },
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
  forceFlush: async () => {},
  shutdown: async () => {},
}

const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanPrinter)] })
const reader = new PeriodicExportingMetricReader({ exporter: metricPrinter, exportIntervalMillis: 60_000 })
const meterProvider = new MeterProvider({ readers: [reader] })
trace.setGlobalTracerProvider(tracerProvider)
metrics.setGlobalMeterProvider(meterProvider)

const secret = 'whsec_observability_example'
let queueDown = false
const handler = createWebhookHandler(
  withOpenTelemetry(
    {
      provider: stripe({ secret }),
      store: memoryStore(),
      enqueue: async (event) => {
        if (queueDown) throw new Error('queue unreachable')
        console.log(`enqueued ${event.provider} ${event.type} ${event.id}`)
      },
      onError: ({ phase, id }) => console.log(`onError: ${phase} failed for ${id}`),
    },
    { route: '/webhooks/stripe', messaging: { system: 'example', destination: 'webhooks' } },
  ),
)

const server = createServer(toNodeListener(handler))
server.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo
const url = `http://127.0.0.1:${port}/webhooks/stripe`

async function send(label: string, id: string, signingSecret = secret): Promise<number> {
  const delivery = await signStripeRequest({
    secret: signingSecret,
    body: { id, object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } },
  })
  const response = await fetch(toFetchRequest(delivery, url))
  await response.text()
  console.log(`\n${label}: ${response.status}`)
  return response.status
}

const statuses = [
  await send('accepted', 'evt_observability_1'),
  await send('duplicate', 'evt_observability_1'),
  await send('forged', 'evt_observability_2', 'whsec_not_the_secret'),
]
queueDown = true
statuses.push(await send('queue down', 'evt_observability_3'))
server.close()

// The inbox path: one atomic accept, then the worker after the 200.
const inbox = memoryInbox()
const inboxHandler = createWebhookHandler(withOpenTelemetry({ provider: stripe({ secret }), inbox }))
const inboxed = await inboxHandler.handle(
  await signStripeRequest({ secret, body: { id: 'evt_observability_4', object: 'event', type: 'invoice.paid' } }),
)
console.log(`\ninbox accepted: ${inboxed.status}`)
statuses.push(inboxed.status)
let attempts = 0
const worker = createInboxWorker(
  withOpenTelemetry({
    inbox,
    retry: { backoffMs: () => 0 },
    process: async (event) => {
      if (++attempts === 1) throw new Error('transient failure')
      console.log(`processed ${event.id} on attempt ${attempts}`)
    },
  }),
)
await worker.drain()
await worker.drain()

console.log('\nmetrics:')
// Shutting down exports what is left: the final metric points.
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
const expected = [200, 200, 401, 500, 200]
process.exitCode = attempts === 2 && statuses.every((status, i) => status === expected[i]) ? 0 : 1
