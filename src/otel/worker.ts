import {
  type Attributes,
  type BatchObservableResult,
  type Counter,
  context,
  type Histogram,
  type Meter,
  metrics,
  type ObservableGauge,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { Inbox, InboxFailure, InboxLease, InboxWorkerOptions } from '../inbox/types.js'
import type { WebhookEvent } from '../types.js'
import { errorType } from './error-type.js'
import { ATTR, DURATION_BUCKETS_S, INSTRUMENTATION_SCOPE, METRIC } from './names.js'

/** Options of {@link withOpenTelemetry} for `createInboxWorker` options. */
interface WorkerTelemetryOptions {
  tracer?: Tracer
  meter?: Meter
  messaging?: { system: string; destination?: string }
}

interface WorkerInstruments {
  processed: Counter
  retried: Counter
  dead: Counter
  duration: Histogram
  lag: ObservableGauge
}

/**
 * Instruments `createInboxWorker` options: a CONSUMER span per processing attempt, the
 * processed / retried / dead counters, the processing duration, and the inbox lag (age of the
 * oldest pending event, read with `inbox.stats()` at each metric collection).
 */
export function instrumentWorker<T>(
  options: InboxWorkerOptions<T>,
  telemetry: WorkerTelemetryOptions,
): InboxWorkerOptions<T> {
  const tracer = telemetry.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE)
  const system = telemetry.messaging?.system ?? 'webhook-inbox'
  const destination = telemetry.messaging?.destination
  const spanName = destination ? `process ${destination}` : 'process'
  const { inbox } = options
  // What each failed attempt threw, by event object (the lease carries the same object), so the
  // retried and dead counters can say why without storing an error message.
  const failures = new WeakMap<WebhookEvent, string>()
  let instruments: WorkerInstruments | undefined
  let unobserve: (() => void) | undefined

  function use(): WorkerInstruments {
    if (instruments) return instruments
    const meter = telemetry.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE)
    const made: WorkerInstruments = {
      processed: meter.createCounter(METRIC.workerProcessed, {
        unit: '{event}',
        description: 'Inbox events processed successfully.',
      }),
      retried: meter.createCounter(METRIC.workerRetried, {
        unit: '{event}',
        description: 'Failed processing attempts scheduled for a retry.',
      }),
      dead: meter.createCounter(METRIC.workerDead, {
        unit: '{event}',
        description: 'Inbox events that exhausted their attempts and are dead.',
      }),
      duration: meter.createHistogram(METRIC.workerDuration, {
        unit: 's',
        description: 'Time one processing attempt took.',
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S, 60, 300] },
      }),
      lag: meter.createObservableGauge(METRIC.workerLag, {
        unit: 's',
        description: 'Age of the oldest pending inbox event (0 when none is pending).',
      }),
    }
    const lag = made.lag
    const observeLag = async (result: BatchObservableResult) => {
      try {
        const stats = await inbox.stats()
        result.observe(lag, (stats.oldestPendingAgeMs ?? 0) / 1000)
      } catch {
        // An unreachable inbox reports no lag point this time; the worker's onError sees the outage.
      }
    }
    meter.addBatchObservableCallback(observeLag, [lag])
    unobserve = () => meter.removeBatchObservableCallback(observeLag, [lag])
    instruments = made
    return made
  }

  const traced: Inbox = new Proxy(inbox, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (property === 'fail') {
        return async (lease: InboxLease, failure: InboxFailure) => {
          const marked = await target.fail(lease, failure)
          if (marked) {
            const m = use()
            const attributes: Attributes = {
              [ATTR.provider]: lease.event.provider,
              [ATTR.errorType]: failures.get(lease.event) ?? '_OTHER',
            }
            if (failure.retryInMs === undefined) m.dead.add(1, attributes)
            else m.retried.add(1, attributes)
          }
          return marked
        }
      }
      if (property === 'close') {
        return async () => {
          // A closed inbox is no longer asked for its lag at each collection.
          unobserve?.()
          unobserve = undefined
          await target.close?.()
        }
      }
      if (property === 'claim') use()
      return value.bind(target)
    },
  })

  const processTraced: InboxWorkerOptions<T>['process'] = async (event, processContext) => {
    const m = use()
    const started = performance.now()
    const attributes: Attributes = {
      [ATTR.provider]: event.provider,
      [ATTR.eventId]: event.id,
      [ATTR.eventType]: event.type,
      [ATTR.messagingSystem]: system,
      [ATTR.messagingOperationName]: 'process',
      [ATTR.messagingOperationType]: 'process',
      [ATTR.inboxAttempt]: processContext.attempt,
    }
    if (destination) attributes[ATTR.messagingDestination] = destination
    const span = tracer.startSpan(spanName, { kind: SpanKind.CONSUMER, attributes })
    try {
      const value = await context.with(trace.setSpan(context.active(), span), () =>
        options.process(event, processContext),
      )
      m.processed.add(1, { [ATTR.provider]: event.provider })
      m.duration.record((performance.now() - started) / 1000, { [ATTR.provider]: event.provider })
      return value
    } catch (error) {
      const code = errorType(error)
      failures.set(event, code)
      span.setAttribute(ATTR.errorType, code)
      span.setStatus({ code: SpanStatusCode.ERROR, message: code })
      m.duration.record((performance.now() - started) / 1000, {
        [ATTR.provider]: event.provider,
        [ATTR.errorType]: code,
      })
      throw error
    } finally {
      span.end()
    }
  }

  return { ...options, inbox: traced, process: processTraced }
}
