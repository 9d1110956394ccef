import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
  type Meter,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
  type UpDownCounter,
} from '@opentelemetry/api'
import type {
  DeliveryStep,
  DeliveryStepRunner,
  HandlerInstrumentation,
  WebhookHandlerOptions,
} from '../core/options.js'
import { keepSameTransaction } from '../core/same-transaction.js'
import { configInvariant, ERROR_STATUS } from '../errors.js'
import { getHeader } from '../request.js'
import type { VerifyResult, WebhookEvent, WebhookResponse } from '../types.js'
import { errorType } from './error-type.js'
import { ATTR, type DeliveryOutcome, DURATION_BUCKETS_S, INSTRUMENTATION_SCOPE, METRIC } from './names.js'
import { injectTraceContext } from './propagation.js'

/** Options of {@link withOpenTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. @default the global tracer provider's tracer `webhook-inbox` */
  tracer?: Tracer
  /** Where metrics go. @default the global meter provider's meter `webhook-inbox`, taken at the first delivery */
  meter?: Meter
  /**
   * The route this handler is mounted on, for example `/webhooks/stripe`: sets `http.route` and
   * names the delivery span `POST /webhooks/stripe`. The URL path itself is never recorded
   * (some endpoints carry a secret in it). @default none: the span is named `POST webhook stripe`
   */
  route?: string
  /**
   * `messaging.system` and `messaging.destination.name` of the enqueue span, for example
   * `{ system: 'rabbitmq', destination: 'webhooks' }`. @default `{ system: 'webhook-inbox' }`
   */
  messaging?: { system: string; destination?: string }
}

interface HandlerInstruments {
  deliveries: Counter
  deliveryDuration: Histogram
  active: UpDownCounter
  verificationFailures: Counter
  verifyDuration: Histogram
  storeDuration: Histogram
  enqueueDuration: Histogram
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])
const STEP_SPAN: Record<Exclude<DeliveryStep, 'enqueue'>, string> = {
  verify: 'webhook.verify',
  claim: 'webhook.store.claim',
  accept: 'webhook.inbox.accept',
  complete: 'webhook.store.complete',
  release: 'webhook.store.release',
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000
}

function duration(meter: Meter, name: string, description: string): Histogram {
  return meter.createHistogram(name, {
    unit: 's',
    description,
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  })
}

function createInstruments(meter: Meter): HandlerInstruments {
  return {
    deliveries: meter.createCounter(METRIC.deliveries, {
      unit: '{delivery}',
      description: 'Deliveries answered, by provider, outcome, error code and HTTP status.',
    }),
    deliveryDuration: duration(meter, METRIC.deliveryDuration, 'Time from the start of a delivery to its answer.'),
    active: meter.createUpDownCounter(METRIC.activeDeliveries, {
      unit: '{delivery}',
      description: 'Deliveries being handled right now.',
    }),
    verificationFailures: meter.createCounter(METRIC.verificationFailures, {
      unit: '{failure}',
      description: 'Deliveries whose signature, timestamp or signed body was refused, by error code.',
    }),
    verifyDuration: duration(meter, METRIC.verifyDuration, 'Time spent verifying a delivery.'),
    storeDuration: duration(meter, METRIC.storeDuration, 'Time one dedupe store call took, by operation.'),
    enqueueDuration: duration(meter, METRIC.enqueueDuration, 'Time the enqueue hand-off took.'),
  }
}

/** The stable code of a refusal, read from the documented `{ "error": { "code" } }` body; else the status. */
function refusalCode(response: WebhookResponse): string {
  try {
    const code = (JSON.parse(response.body) as { error?: { code?: unknown } })?.error?.code
    if (typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code)) return code
  } catch {
    // A body that is not ours: fall back to the status, as the HTTP conventions do.
  }
  return String(response.status)
}

function urlAttributes(url: string, attributes: Attributes): void {
  try {
    const parsed = new URL(url)
    attributes[ATTR.urlScheme] = parsed.protocol.replace(/:$/, '')
    attributes[ATTR.serverAddress] = parsed.hostname
    if (parsed.port) attributes[ATTR.serverPort] = Number(parsed.port)
  } catch {
    // An unparseable URL is answered by the handler; the span simply has no URL attributes.
  }
}

function handlerInstrumentation(
  provider: string,
  telemetry: OpenTelemetryOptions,
  enqueueSpans: WeakMap<WebhookEvent, Span>,
): HandlerInstrumentation {
  const tracer = telemetry.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE)
  let instruments: HandlerInstruments | undefined
  const providerOnly: Attributes = { [ATTR.provider]: provider }
  const messaging = telemetry.messaging ?? { system: 'webhook-inbox' }
  const enqueueName = messaging.destination ? `send ${messaging.destination}` : 'send'

  return {
    start(request) {
      const startedAt = performance.now()
      // Taken at the first delivery, so an SDK registered after withOpenTelemetry() is used.
      instruments ??= createInstruments(telemetry.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE))
      const m = instruments
      const original = String(request.method ?? '').toUpperCase()
      const method = KNOWN_METHODS.has(original) ? original : '_OTHER'
      const attributes: Attributes = { [ATTR.httpMethod]: method, [ATTR.provider]: provider }
      if (method === '_OTHER') attributes[ATTR.httpMethodOriginal] = original.slice(0, 32)
      if (telemetry.route) attributes[ATTR.httpRoute] = telemetry.route
      if (request.url) urlAttributes(request.url, attributes)
      const agent = request.headers ? getHeader(request.headers, 'user-agent') : undefined
      if (agent) attributes[ATTR.userAgent] = agent.slice(0, 256)
      const parent = context.active()
      const span = tracer.startSpan(
        `${method} ${telemetry.route ?? `webhook ${provider}`}`,
        { kind: SpanKind.SERVER, attributes },
        parent,
      )
      const delivery = trace.setSpan(parent, span)
      m.active.add(1, providerOnly)
      let verified: Extract<VerifyResult, { ok: true }> | undefined
      let claimState: string | undefined

      function finishStep(name: DeliveryStep, child: Span, begun: number, failed: boolean, value: unknown): void {
        const elapsed = seconds(begun)
        let code: string | undefined = failed ? errorType(value) : undefined
        if (name === 'verify' && !failed) {
          const result = value as VerifyResult
          if (result.ok) verified = result
          else {
            code = result.error.code
            m.verificationFailures.add(1, { [ATTR.provider]: provider, [ATTR.errorType]: code })
          }
        }
        if ((name === 'claim' || name === 'accept') && !failed)
          claimState = (value as { state?: string } | undefined)?.state
        const attributes: Attributes = { [ATTR.provider]: provider }
        if (code) {
          attributes[ATTR.errorType] = code
          child.setAttribute(ATTR.errorType, code)
          child.setStatus({ code: SpanStatusCode.ERROR, message: code })
        }
        if (name === 'verify') m.verifyDuration.record(elapsed, attributes)
        else if (name === 'enqueue') m.enqueueDuration.record(elapsed, attributes)
        else m.storeDuration.record(elapsed, { ...attributes, [ATTR.storeOperation]: name })
        child.end()
      }

      const step: DeliveryStepRunner = (name, work, event) => {
        const begun = performance.now()
        const child =
          name === 'enqueue'
            ? tracer.startSpan(
                enqueueName,
                {
                  kind: SpanKind.PRODUCER,
                  attributes: {
                    [ATTR.provider]: provider,
                    [ATTR.messagingSystem]: messaging.system,
                    [ATTR.messagingOperationName]: 'send',
                    [ATTR.messagingOperationType]: 'send',
                    ...(messaging.destination ? { [ATTR.messagingDestination]: messaging.destination } : {}),
                    ...(event ? { [ATTR.eventId]: event.id, [ATTR.eventType]: event.type } : {}),
                  },
                },
                delivery,
              )
            : tracer.startSpan(
                STEP_SPAN[name],
                {
                  kind: SpanKind.INTERNAL,
                  attributes: name === 'verify' ? providerOnly : { ...providerOnly, [ATTR.storeOperation]: name },
                },
                delivery,
              )
        if (event) enqueueSpans.set(event, child)
        let pending: ReturnType<typeof work>
        try {
          pending = context.with(trace.setSpan(delivery, child), work)
        } catch (error) {
          pending = Promise.reject(error)
        }
        return pending.then(
          (value) => {
            finishStep(name, child, begun, false, value)
            return value
          },
          (error: unknown) => {
            finishStep(name, child, begun, true, error)
            throw error
          },
        )
      }

      return {
        step,
        end(response) {
          const status = response?.status ?? 500
          let outcome: DeliveryOutcome
          let code: string | undefined
          if (response && status < 300) {
            outcome = verified?.handshake ? 'handshake' : claimState === 'duplicate' ? 'duplicate' : 'accepted'
          } else {
            code = response ? refusalCode(response) : 'internal_error'
            outcome = code === 'in_flight' ? 'in_flight' : status >= 500 ? 'failed' : 'rejected'
          }
          const attributes: Attributes = {
            [ATTR.provider]: provider,
            [ATTR.outcome]: outcome,
            [ATTR.httpStatus]: status,
          }
          if (code) attributes[ATTR.errorType] = code
          span.setAttributes(attributes)
          if (verified) {
            span.setAttribute(ATTR.eventId, verified.id)
            span.setAttribute(ATTR.eventType, verified.type)
          }
          if (claimState !== undefined) {
            span.setAttribute(ATTR.duplicate, claimState === 'duplicate')
            span.setAttribute(ATTR.inFlight, claimState === 'in-flight')
          }
          // HTTP server conventions: a 4xx is the client's doing and leaves the status unset.
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: code })
          span.end()
          m.active.add(-1, providerOnly)
          m.deliveries.add(1, attributes)
          m.deliveryDuration.record(seconds(startedAt), attributes)
        },
      }
    },
  }
}

/** Runs `outer` around `inner`, so an instrumentation the options already had keeps working. */
function chain(outer: HandlerInstrumentation, inner: HandlerInstrumentation): HandlerInstrumentation {
  return {
    start(request) {
      const first = outer.start(request)
      const second = inner.start(request)
      return {
        step: (name, work, event) => first.step(name, () => second.step(name, work, event), event),
        end(response) {
          try {
            second.end(response)
          } finally {
            first.end(response)
          }
        },
      }
    },
  }
}

/** The handler half of `withOpenTelemetry`. */
export function instrumentHandler<T>(
  options: WebhookHandlerOptions<T>,
  telemetry: OpenTelemetryOptions = {},
): WebhookHandlerOptions<T> {
  configInvariant(
    typeof options?.provider?.name === 'string',
    'withOpenTelemetry: pass the options of createWebhookHandler (with their `provider`) or of createInboxWorker (with `inbox` and `process`).',
  )
  configInvariant(
    telemetry.messaging === undefined || typeof telemetry.messaging.system === 'string',
    'withOpenTelemetry: `messaging.system` must be a string such as "rabbitmq", "kafka" or "nats".',
    options.provider.name,
  )
  const enqueueSpans = new WeakMap<WebhookEvent, Span>()
  const ours = handlerInstrumentation(options.provider.name, telemetry, enqueueSpans)
  const { enqueue } = options
  type Enqueue = NonNullable<WebhookHandlerOptions<T>['enqueue']>
  // A copy, not a mutation: the handler's own context object stays as it made it.
  function withTrace<C>(event: WebhookEvent, extra: C): C {
    const span = enqueueSpans.get(event)
    const headers = (extra as { headers?: unknown } | undefined)?.headers
    if (!span || !extra || typeof extra !== 'object' || !headers || typeof headers !== 'object') return extra
    const traced = { ...(headers as Record<string, string>) }
    injectTraceContext(trace.setSpan(context.active(), span), traced)
    return { ...extra, headers: traced }
  }
  const traced = (user: Enqueue): Enqueue =>
    // pgBossEnqueue's `sameTransaction` stays one: the handler calls its transactional path.
    keepSameTransaction(
      user,
      function enqueueTraced(...args: Parameters<Enqueue>) {
        ;(args as unknown[])[1] = withTrace(args[0], (args as unknown[])[1])
        return user(...args)
      },
      withTrace,
    )
  return {
    ...options,
    // Left alone when missing, so createWebhookHandler reports it.
    enqueue: typeof enqueue === 'function' ? traced(enqueue) : enqueue,
    instrumentation: options.instrumentation ? chain(ours, options.instrumentation) : ours,
  }
}
