import { SpanKind } from '@opentelemetry/api'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createInboxWorker, createWebhookHandler, memoryInbox } from '../../src/index.js'
import { withOpenTelemetry } from '../../src/otel/index.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { pointValue, STATUS, telemetry } from './telemetry.js'

const SECRET = 'whsec_otel_worker'
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0)
let sdk = telemetry()
afterEach(async () => {
  await sdk.shutdown()
  sdk = telemetry()
})

/** An inbox with a hand-moved clock, and a handler (instrumented too) that accepts into it. */
function setup() {
  let now = T0
  const inbox = memoryInbox({ now: () => now })
  const handler = createWebhookHandler(
    withOpenTelemetry(
      { provider: stripe({ secret: SECRET }), inbox, now: () => now },
      { tracer: sdk.tracer, meter: sdk.meter },
    ),
  )
  const accept = async (id: string) => {
    const request = await signStripeRequest({
      secret: SECRET,
      now,
      body: { id, type: 'invoice.paid', object: 'event' },
    })
    expect((await handler.handle(request)).status).toBe(200)
  }
  const advance = (ms: number) => {
    now += ms
  }
  return { inbox, accept, advance }
}

const traced = { tracer: () => sdk.tracer, meter: () => sdk.meter }

describe('withOpenTelemetry on createInboxWorker options', () => {
  it('the handler accepting into an inbox: an inbox.accept child span and the store metric', async () => {
    const { accept } = setup()
    await accept('evt_inbox_1')
    await accept('evt_inbox_1')
    const servers = sdk.finished().filter((s) => s.kind === SpanKind.SERVER)
    expect(servers.map((s) => s.attributes['webhook.outcome'])).toEqual(['accepted', 'duplicate'])
    expect(sdk.finished().filter((s) => s.name === 'webhook.inbox.accept')).toHaveLength(2)
    expect(pointValue(await sdk.points('webhook.store.duration'), { 'webhook.store.operation': 'accept' })).toBe(2)
  })

  it('a processed event: a CONSUMER span, processed + 1, a duration point; the user process still runs', async () => {
    const { inbox, accept } = setup()
    await accept('evt_ok')
    const process = vi.fn(async () => {})
    const worker = createInboxWorker(
      withOpenTelemetry(
        { inbox, process },
        { tracer: traced.tracer(), meter: traced.meter(), messaging: { system: 'postgresql', destination: 'inbox' } },
      ),
    )
    expect(await worker.drain()).toBe(1)
    expect(process).toHaveBeenCalledTimes(1)
    const span = sdk.finished().find((s) => s.kind === SpanKind.CONSUMER)
    expect(span?.name).toBe('process inbox')
    expect(span?.status.code).toBe(STATUS.unset)
    expect(span?.attributes).toMatchObject({
      'webhook.provider': 'stripe',
      'webhook.event.id': 'evt_ok',
      'webhook.event.type': 'invoice.paid',
      'webhook.inbox.attempt': 1,
      'messaging.system': 'postgresql',
      'messaging.destination.name': 'inbox',
      'messaging.operation.type': 'process',
    })
    expect(pointValue(await sdk.points('webhook.inbox.processed'), { 'webhook.provider': 'stripe' })).toBe(1)
    expect(pointValue(await sdk.points('webhook.inbox.process.duration'), { 'webhook.provider': 'stripe' })).toBe(1)
    expect(await sdk.points('webhook.inbox.retried')).toEqual([])
  })

  it('a failing event: retried by error type, then dead after maxAttempts; onDead still fires', async () => {
    const { inbox, accept, advance } = setup()
    await accept('evt_bad')
    class LedgerUnavailable extends Error {}
    const onDead = vi.fn()
    const worker = createInboxWorker(
      withOpenTelemetry(
        {
          inbox,
          process: () => {
            throw new LedgerUnavailable('ledger down at postgres://user:pw@db')
          },
          retry: { maxAttempts: 2, backoffMs: () => 1_000 },
          onDead,
        },
        { tracer: traced.tracer(), meter: traced.meter() },
      ),
    )
    expect(await worker.drain()).toBe(1)
    const retried = await sdk.points('webhook.inbox.retried')
    expect(retried.map((p) => [p.attributes['error.type'], p.value])).toEqual([['LedgerUnavailable', 1]])
    expect(await sdk.points('webhook.inbox.dead')).toEqual([])
    advance(1_000)
    expect(await worker.drain()).toBe(1)
    const dead = await sdk.points('webhook.inbox.dead')
    expect(dead.map((p) => [p.attributes['webhook.provider'], p.attributes['error.type'], p.value])).toEqual([
      ['stripe', 'LedgerUnavailable', 1],
    ])
    expect(onDead).toHaveBeenCalledTimes(1)
    const spans = sdk.finished().filter((s) => s.kind === SpanKind.CONSUMER)
    expect(spans.map((s) => [s.status.code, s.attributes['webhook.inbox.attempt']])).toEqual([
      [STATUS.error, 1],
      [STATUS.error, 2],
    ])
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events, s.status]))).not.toContain('pw@db')
    expect(await sdk.points('webhook.inbox.processed')).toEqual([])
  })

  it('lag: the age of the oldest pending event at each collection, 0 once drained', async () => {
    const { inbox, accept, advance } = setup()
    await accept('evt_old')
    advance(90_000)
    await accept('evt_new')
    const options = withOpenTelemetry(
      { inbox, process: async () => {} },
      { tracer: traced.tracer(), meter: traced.meter() },
    )
    const worker = createInboxWorker(options)
    advance(30_000)
    expect(pointValue(await sdk.points('webhook.inbox.lag'), {})).toBe(120)
    expect(await worker.drain()).toBe(2)
    expect(pointValue(await sdk.points('webhook.inbox.lag'), {})).toBe(0)
    await accept('evt_later')
    advance(45_000)
    expect(pointValue(await sdk.points('webhook.inbox.lag'), {})).toBe(45)
    // Closing the inbox through the worker options stops asking it at each collection.
    const stats = vi.spyOn(inbox, 'stats')
    await options.inbox.close?.()
    await sdk.points('webhook.inbox.lag')
    expect(stats).not.toHaveBeenCalled()
  })

  it('refuses worker options it cannot recognise as either kind', () => {
    expect(() => withOpenTelemetry({ process: async () => {} } as never)).toThrow(/createInboxWorker/)
  })
})
