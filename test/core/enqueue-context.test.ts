import { describe, expect, it } from 'vitest'
import { publishing } from '../../src/core/enqueue-context.js'
import { createWebhookHandler, type EnqueueContext, isWebhookError, memoryStore } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'

const SECRET = 'whsec_context_test'

function delivery(id: string) {
  return signStripeRequest({ secret: SECRET, body: { id, type: 'invoice.paid', object: 'event' } })
}

describe('enqueue(event, context)', () => {
  it('gets the dedupe key, the retention, empty headers and a live signal', async () => {
    const seen: EnqueueContext[] = []
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store: memoryStore(),
      retentionMs: 123_000,
      onWarning: () => {},
      enqueue: (_event, context) => {
        seen.push(context)
      },
    })
    expect((await handler.handle(await delivery('evt_ctx'))).status).toBe(200)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ key: 'stripe:evt_ctx', retentionMs: 123_000, headers: {} })
    expect(seen[0]?.signal.aborted).toBe(false)
  })

  it('aborts the signal when enqueueTimeoutMs runs out, releases the claim and answers 503', async () => {
    let signal: AbortSignal | undefined
    let release: () => void = () => {}
    const store = memoryStore()
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store,
      enqueueTimeoutMs: 50,
      onWarning: () => {},
      enqueue: (_event, context) => {
        signal = context.signal
        return new Promise<void>((resolve) => {
          release = resolve
        })
      },
    })
    const response = await handler.handle(await delivery('evt_slow'))
    expect(response.status).toBe(503)
    expect(signal?.aborted).toBe(true)
    release()
    // Released: the provider's retry is claimed and enqueued again (not 409 in flight).
    const retry = await handler.handle(await delivery('evt_slow'))
    expect(retry.status).toBe(503)
    expect(JSON.parse(retry.body).error.code).toBe('enqueue_timeout')
  })

  it('a signal first read after enqueueTimeoutMs ran out has already aborted, with the timeout as its reason', async () => {
    let late: AbortSignal | undefined
    let reasonAtAbort: unknown
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store: memoryStore(),
      enqueueTimeoutMs: 30,
      onWarning: () => {},
      enqueue: async (_event, context) => {
        // The signal is not touched until the handler has given up on this enqueue.
        await new Promise((resolve) => setTimeout(resolve, 80))
        late = context.signal
        reasonAtAbort = late.reason
      },
    })
    expect((await handler.handle(await delivery('evt_late_reader'))).status).toBe(503)
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(late?.aborted).toBe(true)
    expect(reasonAtAbort).toBeInstanceOf(Error)
  })

  it('reads the same signal every time, and a copy of the context shares it', async () => {
    const reads: AbortSignal[] = []
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store: memoryStore(),
      onWarning: () => {},
      enqueue: (_event, context) => {
        const copy = { ...context }
        const { signal } = context
        reads.push(context.signal, copy.signal, signal)
      },
    })
    expect((await handler.handle(await delivery('evt_same_signal'))).status).toBe(200)
    expect(reads).toHaveLength(3)
    expect(new Set(reads).size).toBe(1)
    expect(reads[0]?.aborted).toBe(false)
  })

  it('a helper publish that enqueue did not await is a 500, reported as a config error, claim released', async () => {
    const errors: unknown[] = []
    let finish: () => void = () => {}
    const store = memoryStore()
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store,
      onWarning: () => {},
      onError: ({ error }) => errors.push(error),
      enqueue: async (_event, context) => {
        // The forgotten await, through a wrapper that copies the context as the OpenTelemetry one does.
        void publishing(
          'testHelper',
          { ...context, headers: { traceparent: 'x' } },
          () =>
            new Promise<void>((resolve) => {
              finish = resolve
            }),
        )
      },
    })
    const response = await handler.handle(await delivery('evt_forgot'))
    expect(response.status).toBe(500)
    expect(errors).toHaveLength(1)
    expect(isWebhookError(errors[0]) && errors[0].code).toBe('invalid_config')
    expect(String((errors[0] as Error).message)).toContain('await')
    finish()
    // Released: the retry is processed again (and caught again), not answered 409 in flight.
    expect((await handler.handle(await delivery('evt_forgot'))).status).toBe(500)
    expect(errors).toHaveLength(2)
  })

  it('an awaited helper publish is accepted', async () => {
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store: memoryStore(),
      onWarning: () => {},
      enqueue: async (_event, context) => {
        await publishing('testHelper', context, async () => {})
      },
    })
    expect((await handler.handle(await delivery('evt_awaited'))).status).toBe(200)
  })
})
