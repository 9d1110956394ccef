// In-memory OpenTelemetry SDK for the otel tests: spans and metric points, read back per test.
import { type Attributes, SpanStatusCode } from '@opentelemetry/api'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

export function telemetry() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exports only when collect() flushes it: the interval is far longer than any test.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    tracerProvider,
    meterProvider,
    tracer: tracerProvider.getTracer('test'),
    meter: meterProvider.getMeter('test'),
    finished: () => spans.getFinishedSpans(),
    /** The data points of one metric at this moment (cumulative). */
    async points(name: string): Promise<DataPoint<number | Histogram>[]> {
      metricExporter.reset()
      await reader.forceFlush()
      const metric = metricExporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics)
        .flatMap((scope) => scope.metrics)
        .find((m) => m.descriptor.name === name)
      return (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[]
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()])
    },
  }
}

/** The value of the point whose attributes include `match` (a counter's sum, a histogram's count). */
export function pointValue(points: DataPoint<number | Histogram>[], match: Attributes): number {
  const point = points.find((p) => Object.entries(match).every(([key, value]) => p.attributes[key] === value))
  if (!point) return 0
  return typeof point.value === 'number' ? point.value : point.value.count
}

export const STATUS = { unset: SpanStatusCode.UNSET, error: SpanStatusCode.ERROR }
