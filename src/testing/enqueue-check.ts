import { createEnqueueContext, pendingPublishes } from '../core/enqueue-context.js'
import type { EnqueueContext } from '../core/options.js'
import type { WebhookEvent } from '../types.js'

type Enqueue = (event: WebhookEvent, context: EnqueueContext) => unknown

/** Options of {@link testEnqueue}. */
export interface TestEnqueueOptions {
  /** The `enqueue` under test, wired to the real engine. */
  enqueue: Enqueue
  /**
   * Reads the engine directly (not through `enqueue`'s code) and answers whether the event with
   * this dedupe key is stored: a BullMQ job by id, a pg-boss job, a message on the queue or stream.
   */
  isStored: (key: string, event: WebhookEvent) => Promise<boolean> | boolean
  /**
   * How many messages or jobs the engine holds for this key. When given, `testEnqueue` enqueues
   * the same event twice and expects 1 (the engine's own idempotency). Leave it out for engines
   * without deduplication (RabbitMQ).
   */
  count?: (key: string, event: WebhookEvent) => Promise<number> | number
  /** An `enqueue` wired to an engine that fails (a closed channel, a stopped server): it must reject. */
  failing?: Enqueue
  /** The provider name of the sample events. @default 'test' */
  provider?: string
  /** How long to wait for a publish to settle. @default 5000 */
  timeoutMs?: number
}

/** What {@link testEnqueue} checked, for a test to print or assert on. */
export interface TestEnqueueReport {
  /** The dedupe key of the sample event. */
  key: string
  /** Checks that ran, in order. */
  checks: string[]
}

function fail(message: string): never {
  throw new Error(`[webhook-inbox] testEnqueue: ${message}`)
}

function sampleEvent(provider: string): WebhookEvent {
  const id = `evt_test_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`
  const payload = { id, type: 'test.event', data: { ok: true } }
  return {
    provider,
    id,
    type: 'test.event',
    payload,
    body: JSON.stringify(payload),
    headers: { 'content-type': 'application/json' },
    receivedAt: new Date().toISOString(),
  }
}

async function within<V>(work: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`[webhook-inbox] testEnqueue: ${what} did not settle within ${ms} ms`)),
          ms,
        )
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Checks an `enqueue` against the real engine the way the handler relies on it: it resolves only
 * after the message is stored (the most common bug is a forgotten `await`, which answers the
 * provider 200 for an event that may be lost); the same event twice is stored once when the
 * engine deduplicates (`count`); an already aborted `signal` is refused and stores nothing; and a
 * failing engine rejects (`failing`). Throws an `Error` describing the first check that failed;
 * needs no test runner.
 *
 * @example
 * import { Queue } from 'bullmq'
 * import { bullmqEnqueue, bullmqJobId } from 'webhook-inbox/bullmq'
 * import { testEnqueue } from 'webhook-inbox/testing'
 *
 * const queue = new Queue('webhooks-test', { connection: { host: '127.0.0.1', port: 6379 } })
 * await testEnqueue({
 *   enqueue: bullmqEnqueue(queue),
 *   isStored: async (key) => (await queue.getJob(bullmqJobId(key))) !== undefined,
 *   count: async (key) => ((await queue.getJob(bullmqJobId(key))) ? 1 : 0),
 * })
 */
export async function testEnqueue(options: TestEnqueueOptions): Promise<TestEnqueueReport> {
  const { enqueue, isStored, count, failing, provider = 'test', timeoutMs = 5000 } = options
  if (typeof enqueue !== 'function' || typeof isStored !== 'function') {
    fail('pass { enqueue, isStored }: the enqueue under test and a function that reads the engine.')
  }
  const checks: string[] = []
  const retentionMs = 4 * 24 * 3_600_000
  const event = sampleEvent(provider)
  const key = `${provider}:${event.id}`

  const context = createEnqueueContext(key, retentionMs, new AbortController().signal)
  await within(Promise.resolve(enqueue(event, context)), timeoutMs, 'enqueue')
  // Read at once, before anything else runs: a publish that was not awaited is still on its way.
  if (pendingPublishes(context) > 0) {
    fail('enqueue resolved while its publish was still running: `await` the publish (or return its promise).')
  }
  if (!(await isStored(key, event))) {
    fail('enqueue resolved but the engine does not hold the event: resolve only once the publish is stored.')
  }
  checks.push('resolves only after the event is stored')

  if (count) {
    const again = createEnqueueContext(key, retentionMs, new AbortController().signal)
    await within(Promise.resolve(enqueue(event, again)), timeoutMs, 'the second enqueue')
    const held = await count(key, event)
    if (held !== 1) fail(`the same event enqueued twice is held ${held} times; use the dedupe key as the engine's id.`)
    checks.push('the same key twice is stored once')
  }

  const refused = sampleEvent(provider)
  const refusedKey = `${provider}:${refused.id}`
  const controller = new AbortController()
  controller.abort(new Error('enqueueTimeoutMs ran out'))
  const outcome = await within(
    Promise.resolve()
      .then(() => enqueue(refused, createEnqueueContext(refusedKey, retentionMs, controller.signal)))
      .then(
        () => 'resolved',
        () => 'rejected',
      ),
    timeoutMs,
    'enqueue with an aborted signal',
  )
  if (outcome !== 'rejected') fail('enqueue resolved with an already aborted signal; check `context.signal` first.')
  if (await isStored(refusedKey, refused)) fail('enqueue with an already aborted signal still stored the event.')
  checks.push('an aborted signal is refused and stores nothing')

  if (failing) {
    const broken = sampleEvent(provider)
    const brokenKey = `${provider}:${broken.id}`
    const result = await within(
      Promise.resolve()
        .then(() => failing(broken, createEnqueueContext(brokenKey, retentionMs, new AbortController().signal)))
        .then(
          () => 'resolved',
          () => 'rejected',
        ),
      timeoutMs,
      'the failing enqueue',
    )
    if (result !== 'rejected')
      fail('enqueue resolved although the engine failed; let the publish error reach the handler.')
    checks.push('a failed publish rejects')
  }
  return { key, checks }
}
