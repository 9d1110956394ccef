import { WebhookConfigError, WebhookError } from '../errors.js'
import type { WebhookEvent } from '../types.js'
import type { EnqueueContext } from './options.js'

// A registered symbol, not a module-level WeakMap: the handler and a queue helper may come from
// the ESM and the CJS copy of this package, and both must see the same counter.
const PENDING = Symbol.for('webhook-inbox.pending-publishes')

interface Counter {
  count: number
}

type Tracked = EnqueueContext & { [PENDING]?: Counter }

/** An `enqueue` context with `signal`, and the counter of publishes still running. */
export function createEnqueueContext(key: string, retentionMs: number, signal: AbortSignal): EnqueueContext {
  // Enumerable, so a wrapper that copies the context (`{ ...context, headers }`) shares the counter.
  const context: Tracked = { signal, headers: {}, key, retentionMs, [PENDING]: { count: 0 } }
  return context
}

/** The context the handler passes to `enqueue`, and the `abort` it calls when `enqueueTimeoutMs` runs out. */
export interface AbortableEnqueueContext {
  context: EnqueueContext
  abort(reason: unknown): void
}

// What the handler's `signal` getter reads: the controller once made, and an abort that came first.
const SIGNAL_STATE = Symbol('webhook-inbox.enqueue-signal')

interface SignalState {
  controller: AbortController | undefined
  aborted: { reason: unknown } | undefined
}

type LazyTracked = Tracked & { [SIGNAL_STATE]: SignalState }

// One getter for every context, reading its state from the context it is called on: a getter
// written in the object literal is a new closure per delivery, and V8 then builds a new accessor
// for each (about 0.9 µs a context, against 0.2 µs for this).
function lazySignal(this: LazyTracked): AbortSignal {
  const state = this[SIGNAL_STATE]
  if (state.controller === undefined) {
    state.controller = new AbortController()
    if (state.aborted) state.controller.abort(state.aborted.reason)
  }
  return state.controller.signal
}

const SIGNAL_PROPERTY: PropertyDescriptor = { get: lazySignal, enumerable: true, configurable: true }

/**
 * The handler's context: `signal` is made when something first reads it. Node builds an
 * `AbortSignal` (an `EventTarget`) on the first read of `controller.signal`, about 7 % of a whole
 * delivery through the memory store, and most `enqueue` functions never look at it. An abort
 * before the first read is kept, so a late reader gets a signal that has already aborted, with
 * that reason. Reading it through destructuring or a copy (`{ ...context }`) works as before:
 * `signal` is an own, enumerable accessor.
 */
export function createAbortableEnqueueContext(key: string, retentionMs: number): AbortableEnqueueContext {
  const state: SignalState = { controller: undefined, aborted: undefined }
  const context = { headers: {}, key, retentionMs, [PENDING]: { count: 0 }, [SIGNAL_STATE]: state }
  Object.defineProperty(context, 'signal', SIGNAL_PROPERTY)
  return {
    context: context as unknown as EnqueueContext,
    abort(reason) {
      if (state.aborted) return
      state.aborted = { reason }
      state.controller?.abort(reason)
    },
  }
}

/** Publishes started through {@link publishing} with this context (or a copy of it) that have not settled. */
export function pendingPublishes(context: EnqueueContext): number {
  return (context as Tracked)[PENDING]?.count ?? 0
}

function counterOf(context: EnqueueContext): Counter | undefined {
  return (context as Tracked)[PENDING]
}

/**
 * Checks the context a queue helper was called with: a wrapper that drops it
 * (`(event) => enqueue(event)`) loses the signal, the headers and the idempotency key.
 */
export function requireContext(helper: string, context: EnqueueContext | undefined): asserts context is EnqueueContext {
  if (
    !context ||
    typeof context.key !== 'string' ||
    context.key === '' ||
    typeof context.signal?.aborted !== 'boolean' ||
    typeof context.headers !== 'object'
  ) {
    throw new WebhookConfigError(
      `${helper}: called without the enqueue context. Pass the helper itself (\`enqueue: ${helper}(...)\`), or forward both arguments: \`enqueue: (event, context) => myEnqueue(event, context)\`.`,
    )
  }
}

/**
 * Runs one publish for a queue helper: refuses to start once `signal` aborted, rejects as soon as
 * it aborts (the publish itself may still land; the engine's idempotency id makes the retry's
 * publish a no-op then), and counts the publish as pending until it settles, so that the handler
 * can tell an `enqueue` that resolved without awaiting it.
 */
export async function publishing<V>(helper: string, context: EnqueueContext, work: () => Promise<V>): Promise<V> {
  requireContext(helper, context)
  const { signal } = context
  if (signal.aborted) throw abortError(helper, signal)
  const counter = counterOf(context)
  if (counter) counter.count++
  let onAbort: (() => void) | undefined
  try {
    const running = Promise.resolve().then(work)
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError(helper, signal))
      signal.addEventListener('abort', onAbort, { once: true })
    })
    running.catch(() => {})
    return await Promise.race([running, aborted])
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
    if (counter) counter.count--
  }
}

function abortError(helper: string, signal: AbortSignal): WebhookError {
  return new WebhookError(
    'enqueue_timeout',
    `${helper}: the publish was abandoned because enqueueTimeoutMs ran out; the engine may still store it, and the provider's retry is then deduplicated by its id.`,
    { cause: signal.reason },
  )
}

/**
 * The headers every shipped helper puts on a message: the caller's `context.headers` (trace
 * context) and `webhook-provider`, `webhook-id`, `webhook-type`, so consumers route without
 * parsing the body.
 */
export function messageHeaders(event: WebhookEvent, context: EnqueueContext): Record<string, string> {
  return {
    ...context.headers,
    'webhook-provider': event.provider,
    'webhook-id': event.id,
    'webhook-type': event.type,
  }
}

/** The error the handler reports when `enqueue` settled while a helper's publish was still running. */
export function forgottenAwaitError(provider: string): WebhookConfigError {
  return new WebhookConfigError(
    'enqueue resolved while its publish was still running: the event was not yet stored. `await` the helper (`enqueue: async (event, context) => { await myEnqueue(event, context) }`) or pass it directly (`enqueue: bullmqEnqueue(queue)`). The claim was released so the provider retries.',
    { provider },
  )
}
