import { metrics, SpanKind, trace } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWebhookHandler, type DedupeStore, memoryStore, type WebhookHandlerOptions } from '../../src/index.js'
import { withOpenTelemetry } from '../../src/otel/index.js'
import { defineProvider, stripe } from '../../src/providers/index.js'
import { signHmacRequest, signStripeRequest, toFetchRequest } from '../../src/testing/index.js'
import { verifyHmac } from '../../src/verifiers/index.js'
import { pointValue, STATUS, telemetry } from './telemetry.js'

const SECRET = 'whsec_otel_test_secret'
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const PAYLOAD_MARKER = 'payload-marker-never-in-telemetry'

let sdk = telemetry()
afterEach(async () => {
  await sdk.shutdown()
  sdk = telemetry()
})

function delivery(id = 'evt_1', options: { now?: number; body?: unknown } = {}) {
  return signStripeRequest({
    secret: SECRET,
    now: options.now ?? NOW,
    url: 'https://hooks.example.com:8443/webhooks/stripe?token=query-secret',
    body: options.body ?? { id, type: 'invoice.paid', object: 'event', data: { note: PAYLOAD_MARKER } },
  })
}

function traced(options: WebhookHandlerOptions) {
  return createWebhookHandler(withOpenTelemetry(options, { tracer: sdk.tracer, meter: sdk.meter }))
}

function instrumented(overrides: Partial<WebhookHandlerOptions> = {}) {
  const options = withOpenTelemetry(
    {
      provider: stripe({ secret: SECRET }),
      store: memoryStore({ now: () => NOW }),
      now: () => NOW,
      enqueue: () => {},
      onWarning: () => {},
      ...overrides,
    },
    { tracer: sdk.tracer, meter: sdk.meter, route: '/webhooks/stripe' },
  )
  return createWebhookHandler(options)
}

function deliverySpans(): ReadableSpan[] {
  return sdk.finished().filter((span) => span.kind === SpanKind.SERVER)
}

function childrenOf(parent: ReadableSpan): string[] {
  return sdk
    .finished()
    .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
    .map((span) => span.name)
}

const heldStore = (state: 'duplicate' | 'in-flight'): DedupeStore => ({
  multiKey: true,
  claim: async () => ({ state }),
  complete: async () => true,
  release: async () => true,
})
const failingStore: DedupeStore = {
  multiKey: true,
  claim: async () => {
    throw new Error('ECONNREFUSED redis://:hunter2@127.0.0.1:6379')
  },
  complete: async () => true,
  release: async () => true,
}

interface Case {
  name: string
  run: () => Promise<{ status: number }>
  status: number
  outcome: string
  code?: string
  spanStatus: number
  children: string[]
  verificationFailure?: string
  duplicate?: boolean
  inFlight?: boolean
}

const cases: Case[] = [
  {
    name: 'accepted',
    run: async () => instrumented().handle(await delivery('evt_ok')),
    status: 200,
    outcome: 'accepted',
    spanStatus: STATUS.unset,
    children: ['webhook.verify', 'webhook.store.claim', 'send', 'webhook.store.complete'],
    duplicate: false,
    inFlight: false,
  },
  {
    name: 'handshake',
    run: async () => {
      const provider = defineProvider({
        name: 'shake',
        verify: (d) => verifyHmac({ payload: d.bytes, signature: d.header('x-sig'), secret: 's' }),
        handshake: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'challenge' }),
      })
      return traced({ provider, enqueue: () => {}, onWarning: () => {} }).handle(
        await signHmacRequest({ secret: 's', header: 'x-sig', body: { challenge: 'c' } }),
      )
    },
    status: 200,
    outcome: 'handshake',
    spanStatus: STATUS.unset,
    children: ['webhook.verify'],
  },
  {
    name: 'duplicate',
    run: async () => instrumented({ store: heldStore('duplicate') }).handle(await delivery('evt_dup')),
    status: 200,
    outcome: 'duplicate',
    spanStatus: STATUS.unset,
    children: ['webhook.verify', 'webhook.store.claim'],
    duplicate: true,
    inFlight: false,
  },
  {
    name: 'in flight elsewhere',
    run: async () => instrumented({ store: heldStore('in-flight') }).handle(await delivery('evt_busy')),
    status: 409,
    outcome: 'in_flight',
    code: 'in_flight',
    spanStatus: STATUS.unset,
    children: ['webhook.verify', 'webhook.store.claim'],
    duplicate: false,
    inFlight: true,
  },
  {
    name: 'in flight elsewhere, for a provider that treats 4xx as final (503)',
    run: async () =>
      instrumented({
        provider: { ...stripe({ secret: SECRET }), retriedStatuses: [[500, 599]] },
        store: heldStore('in-flight'),
      }).handle(await delivery('evt_busy_5xx')),
    status: 503,
    outcome: 'in_flight',
    code: 'in_flight',
    spanStatus: STATUS.error,
    children: ['webhook.verify', 'webhook.store.claim'],
    duplicate: false,
    inFlight: true,
  },
  {
    name: 'method not allowed',
    run: async () => instrumented().handle({ ...(await delivery()), method: 'PUT' }),
    status: 405,
    outcome: 'rejected',
    code: 'method_not_allowed',
    spanStatus: STATUS.unset,
    children: [],
  },
  {
    name: 'body over maxBodyBytes',
    run: async () => instrumented({ maxBodyBytes: 10 }).handle(await delivery()),
    status: 413,
    outcome: 'rejected',
    code: 'body_too_large',
    spanStatus: STATUS.unset,
    children: [],
  },
  {
    name: 'body cut off while streaming (an adapter refusal)',
    run: async () => instrumented().refuse('body_too_large', { method: 'POST' }),
    status: 413,
    outcome: 'rejected',
    code: 'body_too_large',
    spanStatus: STATUS.unset,
    children: [],
  },
  {
    name: 'body over the limit by Content-Length (fetch)',
    run: async () => {
      const request = toFetchRequest(await delivery())
      return instrumented({ maxBodyBytes: 10 }).fetch(request)
    },
    status: 413,
    outcome: 'rejected',
    code: 'body_too_large',
    spanStatus: STATUS.unset,
    children: [],
  },
  {
    name: 'wrong signature',
    run: async () => {
      const request = await delivery()
      const headers = { ...(request.headers as Record<string, string>) }
      headers['stripe-signature'] = headers['stripe-signature']?.replace(/v1=./, 'v1=0') as string
      return instrumented().handle({ ...request, headers })
    },
    status: 401,
    outcome: 'rejected',
    code: 'invalid_signature',
    spanStatus: STATUS.unset,
    children: ['webhook.verify'],
    verificationFailure: 'invalid_signature',
  },
  {
    name: 'missing signature',
    run: async () => {
      const request = await delivery()
      const { 'stripe-signature': _, ...headers } = request.headers as Record<string, string>
      return instrumented().handle({ ...request, headers })
    },
    status: 401,
    outcome: 'rejected',
    code: 'missing_signature',
    spanStatus: STATUS.unset,
    children: ['webhook.verify'],
    verificationFailure: 'missing_signature',
  },
  {
    name: 'stale timestamp',
    run: async () => instrumented().handle(await delivery('evt_old', { now: NOW - 3_600_000 })),
    status: 401,
    outcome: 'rejected',
    code: 'timestamp_too_old',
    spanStatus: STATUS.unset,
    children: ['webhook.verify'],
    verificationFailure: 'timestamp_too_old',
  },
  {
    name: 'signature fine, body not parseable',
    run: async () => instrumented().handle(await delivery('x', { body: 'not json' })),
    status: 400,
    outcome: 'rejected',
    code: 'invalid_body',
    spanStatus: STATUS.unset,
    children: ['webhook.verify'],
    verificationFailure: 'invalid_body',
  },
  {
    name: 'store unreachable',
    run: async () => instrumented({ store: failingStore }).handle(await delivery('evt_store')),
    status: 503,
    outcome: 'failed',
    code: 'store_unavailable',
    spanStatus: STATUS.error,
    children: ['webhook.verify', 'webhook.store.claim'],
  },
  {
    name: 'store timed out',
    run: async () =>
      instrumented({
        storeTimeoutMs: 20,
        store: { ...failingStore, claim: () => new Promise(() => {}) },
      }).handle(await delivery('evt_slow')),
    status: 503,
    outcome: 'failed',
    code: 'store_timeout',
    spanStatus: STATUS.error,
    children: ['webhook.verify', 'webhook.store.claim'],
  },
  {
    name: 'enqueue threw',
    run: async () =>
      instrumented({
        enqueue: () => {
          throw new Error('queue down')
        },
      }).handle(await delivery('evt_throw')),
    status: 500,
    outcome: 'failed',
    code: 'enqueue_failed',
    spanStatus: STATUS.error,
    children: ['webhook.verify', 'webhook.store.claim', 'send', 'webhook.store.release'],
    duplicate: false,
    inFlight: false,
  },
  {
    name: 'enqueue timed out',
    run: async () =>
      instrumented({ enqueueTimeoutMs: 20, enqueue: () => new Promise(() => {}) }).handle(await delivery('evt_t')),
    status: 503,
    outcome: 'failed',
    code: 'enqueue_timeout',
    spanStatus: STATUS.error,
    children: ['webhook.verify', 'webhook.store.claim', 'send', 'webhook.store.release'],
    duplicate: false,
    inFlight: false,
  },
  {
    name: 'verify threw (internal error)',
    run: async () => {
      const provider = { name: 'broken', verify: async () => Promise.reject(new TypeError('bug')) }
      return traced({ provider, enqueue: () => {}, onWarning: () => {}, onError: () => {} }).handle(await delivery())
    },
    status: 500,
    outcome: 'failed',
    code: 'internal_error',
    spanStatus: STATUS.error,
    children: ['webhook.verify'],
  },
  {
    name: 'body already parsed (an adapter refusal)',
    run: async () => instrumented().refuse('body_already_parsed', { method: 'POST' }),
    status: 500,
    outcome: 'failed',
    code: 'body_already_parsed',
    spanStatus: STATUS.error,
    children: [],
  },
]

describe('withOpenTelemetry: every answer of the HTTP table', () => {
  it.each(cases)('$name → $status, outcome $outcome', async (c) => {
    const response = await c.run()
    expect(response.status).toBe(c.status)

    const [span, ...others] = deliverySpans()
    expect(others).toHaveLength(0)
    if (!span) throw new Error('no delivery span')
    expect(span.status.code).toBe(c.spanStatus)
    expect(span.attributes['http.response.status_code']).toBe(c.status)
    expect(span.attributes['webhook.outcome']).toBe(c.outcome)
    expect(span.attributes['error.type']).toBe(c.code)
    expect(span.attributes['webhook.duplicate']).toBe(c.duplicate)
    expect(span.attributes['webhook.in_flight']).toBe(c.inFlight)
    expect(childrenOf(span)).toEqual(c.children)
    const provider = span.attributes['webhook.provider']

    const deliveries = await sdk.points('webhook.deliveries')
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0]?.attributes).toEqual({
      'webhook.provider': provider,
      'webhook.outcome': c.outcome,
      'http.response.status_code': c.status,
      ...(c.code ? { 'error.type': c.code } : {}),
    })
    expect(deliveries[0]?.value).toBe(1)
    expect(pointValue(await sdk.points('webhook.delivery.duration'), { 'webhook.outcome': c.outcome })).toBe(1)
    expect(pointValue(await sdk.points('webhook.deliveries.active'), { 'webhook.provider': provider })).toBe(0)

    const failures = await sdk.points('webhook.verification.failures')
    if (c.verificationFailure) {
      expect(failures.map((p) => [p.attributes['error.type'], p.value])).toEqual([[c.verificationFailure, 1]])
      const verify = sdk.finished().find((s) => s.name === 'webhook.verify')
      expect(verify?.status.code).toBe(STATUS.error)
      expect(verify?.attributes['error.type']).toBe(c.verificationFailure)
    } else {
      expect(failures).toEqual([])
    }
    const verifies = pointValue(await sdk.points('webhook.verify.duration'), { 'webhook.provider': provider })
    expect(verifies).toBe(c.children.includes('webhook.verify') ? 1 : 0)
    const stores = await sdk.points('webhook.store.duration')
    const storeSpans = c.children.filter((name) => name.startsWith('webhook.store.'))
    expect(stores.map((p) => p.attributes['webhook.store.operation']).sort()).toEqual(
      storeSpans.map((name) => name.replace('webhook.store.', '')).sort(),
    )
    expect(pointValue(await sdk.points('webhook.enqueue.duration'), {})).toBe(c.children.includes('send') ? 1 : 0)
  })

  it('records HTTP attributes the adapter knows, and never the URL path, query, secret, signature or payload', async () => {
    const request = await delivery('evt_attrs')
    const signature = (request.headers as Record<string, string>)['stripe-signature'] as string
    expect((await instrumented().handle(request)).status).toBe(200)
    const [span] = deliverySpans()
    expect(span?.name).toBe('POST /webhooks/stripe')
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/webhooks/stripe',
      'url.scheme': 'https',
      'server.address': 'hooks.example.com',
      'server.port': 8443,
      'user_agent.original': expect.stringMatching(/^Stripe\//),
      'webhook.provider': 'stripe',
      'webhook.event.id': 'evt_attrs',
      'webhook.event.type': 'invoice.paid',
    })
    const send = sdk.finished().find((s) => s.name === 'send')
    expect(send?.kind).toBe(SpanKind.PRODUCER)
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'webhook-inbox',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'webhook.event.id': 'evt_attrs',
    })
    const everything = JSON.stringify(
      sdk.finished().map((s) => [s.name, s.attributes, s.events, s.status, s.links]),
    ).concat(JSON.stringify(await sdk.points('webhook.deliveries')))
    for (const forbidden of [SECRET, signature, PAYLOAD_MARKER, 'query-secret', '/webhooks/stripe?', 'hunter2']) {
      expect(everything).not.toContain(forbidden)
    }
  })

  it('records no client error message (it can carry a connection string)', async () => {
    await instrumented({ store: failingStore }).handle(await delivery('evt_x'))
    const claim = sdk.finished().find((s) => s.name === 'webhook.store.claim')
    expect(claim?.status).toEqual({ code: STATUS.error, message: 'Error' })
    expect(JSON.stringify(sdk.finished().map((s) => [s.attributes, s.events, s.status]))).not.toContain('hunter2')
  })

  it('counts deliveries in progress while they wait on enqueue', async () => {
    let release: () => void = () => {}
    const waiting = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered: () => void = () => {}
    const inEnqueue = new Promise<void>((resolve) => {
      entered = resolve
    })
    const handler = instrumented({
      enqueue: async () => {
        entered()
        await waiting
      },
    })
    const pending = Promise.all([handler.handle(await delivery('evt_a')), handler.handle(await delivery('evt_b'))])
    await inEnqueue
    await new Promise((resolve) => setImmediate(resolve))
    expect(pointValue(await sdk.points('webhook.deliveries.active'), { 'webhook.provider': 'stripe' })).toBe(2)
    release()
    await pending
    expect(pointValue(await sdk.points('webhook.deliveries.active'), { 'webhook.provider': 'stripe' })).toBe(0)
    expect(pointValue(await sdk.points('webhook.deliveries'), { 'webhook.outcome': 'accepted' })).toBe(2)
  })

  it("keeps the user's hooks and an instrumentation the options already had", async () => {
    const onAccepted = vi.fn()
    const onRejected = vi.fn()
    const onDuplicate = vi.fn()
    const steps: string[] = []
    const handler = instrumented({
      onAccepted,
      onRejected,
      onDuplicate,
      instrumentation: {
        start: () => ({
          step: (name, work) => {
            steps.push(name)
            return work()
          },
          end: (response) => steps.push(`end ${response?.status}`),
        }),
      },
    })
    await handler.handle(await delivery('evt_h'))
    await handler.handle(await delivery('evt_h'))
    await handler.handle({ ...(await delivery('evt_h')), method: 'GET' })
    expect(onAccepted).toHaveBeenCalledTimes(1)
    expect(onDuplicate).toHaveBeenCalledTimes(1)
    expect(onRejected).toHaveBeenCalledTimes(1)
    expect(steps).toEqual([
      'verify',
      'claim',
      'enqueue',
      'complete',
      'end 200',
      'verify',
      'claim',
      'end 200',
      'end 405',
    ])
    expect(deliverySpans()).toHaveLength(3)
  })

  it('passes the event to the user enqueue unchanged', async () => {
    const seen: unknown[] = []
    await instrumented({ enqueue: (event) => void seen.push(event) }).handle(await delivery('evt_same'))
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ provider: 'stripe', id: 'evt_same', type: 'invoice.paid' })
  })
})

describe('withOpenTelemetry: setup', () => {
  it('refuses options without a provider at setup', () => {
    expect(() => withOpenTelemetry({} as WebhookHandlerOptions)).toThrow(/withOpenTelemetry: pass the options/)
  })

  it('leaves a missing enqueue for createWebhookHandler to report', () => {
    const options = withOpenTelemetry({ provider: stripe({ secret: SECRET }) } as WebhookHandlerOptions)
    expect(() => createWebhookHandler(options)).toThrow(/`enqueue` is required/)
  })

  it('uses the global tracer and meter providers when none are passed, even when registered later', async () => {
    const options = withOpenTelemetry({
      provider: stripe({ secret: SECRET }),
      now: () => NOW,
      enqueue: () => {},
      onWarning: () => {},
    })
    trace.setGlobalTracerProvider(sdk.tracerProvider)
    metrics.setGlobalMeterProvider(sdk.meterProvider)
    try {
      expect((await createWebhookHandler(options).handle(await delivery('evt_global'))).status).toBe(200)
    } finally {
      trace.disable()
      metrics.disable()
    }
    expect(deliverySpans().map((span) => span.instrumentationScope.name)).toEqual(['webhook-inbox'])
    expect(pointValue(await sdk.points('webhook.deliveries'), { 'webhook.outcome': 'accepted' })).toBe(1)
  })

  it('a handler built without it records nothing, even with global providers registered', async () => {
    trace.setGlobalTracerProvider(sdk.tracerProvider)
    metrics.setGlobalMeterProvider(sdk.meterProvider)
    try {
      const handler = createWebhookHandler({
        provider: stripe({ secret: SECRET }),
        now: () => NOW,
        enqueue: () => {},
        onWarning: () => {},
      })
      expect((await handler.handle(await delivery('evt_plain'))).status).toBe(200)
    } finally {
      trace.disable()
      metrics.disable()
    }
    expect(sdk.finished()).toEqual([])
    expect(await sdk.points('webhook.deliveries')).toEqual([])
  })
})
