import invariant from 'tiny-invariant'
import { toBase64 } from '../crypto/encoding.js'
import { configInvariant, WebhookError, WebhookStoreError } from '../errors.js'
import type { Inbox } from '../inbox/types.js'
import { bodyBytes, DECODED_BODY, type DecodedBody, exactText, normalizeHeaders } from '../request.js'
import { memoryStore } from '../stores/memory.js'
import { singleKeyStore } from '../stores/single-key.js'
import { type SynchronousStore, synchronousStore } from '../stores/synchronous-store.js'
import type { DedupeStore, SingleKeyDedupeStore } from '../stores/types.js'
import type { Provider, WebhookEvent, WebhookEventFields, WebhookRequest, WebhookResponse } from '../types.js'
import { readLimited } from './body.js'
import { createAbortableEnqueueContext, forgottenAwaitError, pendingPublishes } from './enqueue-context.js'
import { handlerLog } from './log.js'
import {
  type DeliveryStepRunner,
  type ErrorInfo,
  type ResolvedTimings,
  resolveTimings,
  schemaCheckedProvider,
  type WebhookHandlerOptions,
} from './options.js'
import {
  accepted,
  duplicate,
  inFlight,
  inFlightStatus,
  methodNotAllowed,
  refused,
  toFetchResponse,
} from './responses.js'
import { enqueueCompleting, sameTransactionOf } from './same-transaction.js'

/** A composed receiver: verify → dedupe → enqueue → answer. */
export interface WebhookHandler<T = unknown> {
  readonly provider: Provider<T>
  /** The dedupe store; absent when the handler writes to an `inbox`. */
  readonly store: DedupeStore | undefined
  /** The inbox deliveries are accepted into, when one was given. */
  readonly inbox: Inbox | undefined
  /** The effective limits and durations, defaults filled in. */
  readonly settings: Readonly<ResolvedTimings>
  /** Methods this handler accepts, upper-case (the provider's, `['POST']` by default). */
  readonly methods: readonly string[]
  /** Handles one delivery given as plain data (what adapters call). Never throws. */
  handle(request: WebhookRequest): Promise<WebhookResponse>
  /** Handles a Web standard `Request` (Next.js App Router, Hono, Workers, Bun, Deno). Never throws. */
  fetch(request: Request): Promise<Response>
  /**
   * The answer to a delivery an adapter refused before the core saw it: a body cut off at
   * `maxBodyBytes` while streaming, a body a framework parser already consumed, or a body that
   * could not be read. Reported to `onRejected` (or `onError` for `internal_error`) like any other.
   *
   * @example
   * if (tooBig) writeResponse(res, handler.refuse('body_too_large', { method: req.method }))
   */
  refuse(code: AdapterRefusal, options?: { message?: string; method?: string; cause?: unknown }): WebhookResponse
}

/** Refusals an adapter can detect on its own, before the core sees the body. */
export type AdapterRefusal = 'body_too_large' | 'body_timeout' | 'body_already_parsed' | 'internal_error'

// Headers that carry credentials are kept out of events, whatever the provider.
const ALWAYS_SENSITIVE = ['authorization', 'proxy-authorization', 'cookie']
const COMPLETE_ATTEMPTS = 3

let warnedAboutMemoryStore = false

class TimeoutError extends Error {}

// The step runner when no instrumentation is set: the work, nothing else.
const untraced: DeliveryStepRunner = (_step, work) => work()

// Microtask turns a store or queue gets to settle before a timer is armed: a memory store, or
// any work that answers without I/O, settles within them, and setTimeout + clearTimeout then
// cost more than the work. Anything still running gets the rest of its `ms`. The turns are
// awaited (a promise reaction each) rather than queued with queueMicrotask, which wraps every
// callback in an async resource and cost about 2 µs a delivery over its three steps.
const SETTLE_TURNS = 8

function withTimeout<V>(work: () => Promise<V> | V, ms: number, onTimeout?: (error: Error) => void): Promise<V> {
  const start = Date.now()
  return new Promise<V>((resolve, reject) => {
    let result: Promise<V> | V
    try {
      result = work()
    } catch (error) {
      reject(error)
      return
    }
    if (typeof (result as PromiseLike<V> | null)?.then !== 'function') {
      resolve(result)
      return
    }
    let done = false
    let timer: ReturnType<typeof setTimeout> | undefined
    ;(result as PromiseLike<V>).then(
      (value) => {
        done = true
        if (timer !== undefined) clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        done = true
        if (timer !== undefined) clearTimeout(timer)
        reject(error)
      },
    )
    const arm = async (): Promise<void> => {
      for (let turn = 0; turn < SETTLE_TURNS; turn++) {
        await null
        if (done) return
      }
      timer = setTimeout(
        () => {
          if (done) return
          done = true
          const error = new TimeoutError()
          onTimeout?.(error)
          reject(error)
        },
        Math.max(0, ms - (Date.now() - start)),
      )
    }
    void arm()
  })
}

// A plain-object copy of normalised headers without the names in `left`, in their order.
function withoutHeaders(headers: Record<string, string>, left: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key in headers) {
    if (left.has(key)) continue
    // A header named `__proto__` (anyone can send one) is an own field, as Object.fromEntries made it.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: headers[key], enumerable: true, writable: true, configurable: true })
    else out[key] = headers[key] as string
  }
  return out
}

function lastIso(): (time: number) => string {
  let lastTime = Number.NaN
  let lastText = ''
  return (time) => {
    if (time !== lastTime) {
      lastText = new Date(time).toISOString()
      lastTime = time
    }
    return lastText
  }
}

/**
 * Composes a provider, a dedupe store and your queue into one receiver that answers every
 * delivery with the status that makes the provider's retries do the right thing.
 *
 * @example
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: async (event) => { await queue.add(event.type, event) },
 * })
 * export const POST = (request: Request) => handler.fetch(request)
 */
export function createWebhookHandler<T = unknown>(options: WebhookHandlerOptions<T>): WebhookHandler<T> {
  const { enqueue, inbox } = options
  const provider = schemaCheckedProvider(options)
  configInvariant(
    provider && typeof provider.verify === 'function' && typeof provider.name === 'string',
    'createWebhookHandler: `provider` is required, for example `provider: stripe({ secret })` from webhook-inbox/providers.',
  )
  if (inbox !== undefined) {
    configInvariant(
      typeof inbox?.accept === 'function',
      'createWebhookHandler: `inbox` must be an inbox, e.g. `postgresInbox({ query })` from webhook-inbox/postgres.',
      provider.name,
    )
    configInvariant(
      options.store === undefined && enqueue === undefined,
      `createWebhookHandler: set either \`inbox\` or \`store\` + \`enqueue\`, not both: the inbox already dedupes and stores each delivery, so remove ${options.store === undefined ? '`enqueue`' : enqueue === undefined ? '`store`' : '`store` and `enqueue`'} (process events with createInboxWorker), or remove \`inbox\` to keep your queue.`,
      provider.name,
    )
  } else {
    configInvariant(
      typeof enqueue === 'function',
      'createWebhookHandler: `enqueue` is required: a function that puts the event on your queue and resolves once it is stored (or pass `inbox` to store deliveries in the database).',
      provider.name,
    )
  }
  const override = options.acceptedResponse
  configInvariant(
    override === undefined ||
      typeof override === 'function' ||
      (typeof override === 'object' &&
        override !== null &&
        Number.isInteger(override.status) &&
        typeof override.body === 'string' &&
        typeof override.headers === 'object'),
    "createWebhookHandler: `acceptedResponse` is a { status, headers, body } answer, or a function returning one (or undefined for the preset's).",
    provider.name,
  )
  const settings = resolveTimings(options)
  const clock = options.now ?? Date.now
  const methods = (provider.methods ?? ['POST']).map((m) => m.toUpperCase())
  // Signature headers go too unless asked for: whoever reads the queue could replay the delivery.
  const sensitive = new Set(
    [
      ...ALWAYS_SENSITIVE,
      ...(provider.sensitiveHeaders ?? []),
      ...(options.keepSignatureHeaders ? [] : (provider.signatureHeaders ?? [])),
    ].map((h) => h.toLowerCase()),
  )
  const name = provider.name
  // An inbox row keeps the signature headers, so that inbox.verify() can check it again.
  const credentials = new Set([...ALWAYS_SENSITIVE, ...(provider.sensitiveHeaders ?? [])].map((h) => h.toLowerCase()))
  const { instrumentation } = options

  const log = handlerLog(name, options.logger, options)

  function report(info: ErrorInfo): void {
    log.failed(info)
    if (!options.onError) return
    try {
      const result = options.onError(info) as unknown
      if (result instanceof Promise) result.catch(() => {})
    } catch {
      // onError is the last resort: a throw there has nowhere else to go.
    }
  }

  function callHook<A>(hook: ((arg: A) => unknown) | undefined, arg: A, id?: string): void {
    if (!hook) return
    try {
      const result = hook(arg)
      if (result instanceof Promise)
        result.catch((error: unknown) => report({ provider: name, phase: 'hook', id, error }))
    } catch (error) {
      report({ provider: name, phase: 'hook', id, error })
    }
  }

  function warn(message: string): void {
    if (options.onWarning) callHook(options.onWarning, message)
    else console.warn(message)
  }

  let store = options.store
  if (!store && !inbox) {
    store = memoryStore(options.onWarning ? { onWarning: (message) => warn(message) } : {})
    const message = `[webhook-inbox] [${name}] using the default memoryStore: it deduplicates within this process only. With more than one process, pass a shared store (webhook-inbox/redis, webhook-inbox/postgres).`
    if (options.onWarning) warn(message)
    else if (!warnedAboutMemoryStore) {
      warnedAboutMemoryStore = true
      log.warn(message)
    }
  } else if (store && (store as { multiKey?: unknown }).multiKey !== true) {
    // A store written for the one-key contract would take the key array as one string key.
    store = singleKeyStore(store as unknown as SingleKeyDedupeStore)
    warn(
      `[webhook-inbox] [${name}] the store has no \`multiKey: true\`, so it is treated as a one-key store and each delivery's keys are claimed one after the other (not atomically as a set). Implement claim(keys[]) and set multiKey: true; see DedupeStore.`,
    )
  }
  const dedupe = store as DedupeStore
  // pgBossEnqueue with `sameTransaction`: the store completes the claim in the job's transaction.
  const transactional = inbox ? undefined : sameTransactionOf(enqueue, options.store, name)

  let warnedAboutSyncEnqueue = false
  // A forgotten `await` or `return` (`(event) => { queue.add(event) }`) answers 200 and marks
  // the event done before the queue has it; its later rejection is unhandled and can end the
  // process. The handler cannot see that promise, only that none came back: say so once.
  function expectPromise(result: unknown): unknown {
    if (!warnedAboutSyncEnqueue && typeof (result as PromiseLike<unknown> | null)?.then !== 'function') {
      warnedAboutSyncEnqueue = true
      const message = `[webhook-inbox] [${name}] enqueue returned ${result === undefined ? 'undefined' : typeof result}, not a promise, so the delivery was answered 200 as soon as it returned. If it calls an async queue, await or return that promise (\`enqueue: async (event) => { await queue.add(event.type, event) }\`): otherwise a queue failure after the 200 loses the event and its rejection can end the process. If it is synchronous on purpose, make it \`async\` to silence this.`
      if (options.onWarning) callHook(options.onWarning, message)
      else log.warn(message)
    }
    return result
  }

  function reject(error: WebhookError, method: string, response: WebhookResponse = refused(error)): WebhookResponse {
    log.rejected(error)
    callHook(options.onRejected, { provider: name, method, error })
    return response
  }

  function storeError(error: unknown, operation: string): WebhookError {
    const what = inbox ? 'the inbox' : 'the dedupe store'
    if (error instanceof TimeoutError) {
      return new WebhookStoreError(
        'store_timeout',
        `${what} did not answer ${operation} within ${settings.storeTimeoutMs} ms; the provider will retry.`,
        { provider: name },
      )
    }
    return new WebhookStoreError('store_unavailable', `${what} failed on ${operation}; the provider will retry.`, {
      provider: name,
      cause: error,
    })
  }

  // Deliveries in the same millisecond (receivedAt) or signed in the same second (timestamp)
  // share their ISO text: one Date and toISOString each per distinct time, not per delivery.
  const receivedAtIso = lastIso()
  const timestampIso = lastIso()

  function buildEvent(
    id: string,
    type: string,
    payload: T,
    decoded: DecodedBody,
    headers: Record<string, string>,
    now: number,
    timestamp: number | undefined,
  ): WebhookEvent<T> {
    const text = exactText(decoded)
    const event: WebhookEventFields<T> = {
      provider: name,
      id,
      type,
      payload,
      body: text ?? toBase64(decoded.bytes),
      headers: withoutHeaders(headers, sensitive),
      receivedAt: receivedAtIso(now),
    }
    if (text === null) event.bodyEncoding = 'base64'
    // Date represents ±8.64e15 ms; anything past that has no ISO form and is left out.
    if (timestamp !== undefined && Math.abs(timestamp) <= 8.64e15) event.timestamp = timestampIso(timestamp)
    // The provider's type and payload, as verified: `WebhookEvent<T>` only names their pairing.
    return event as WebhookEvent<T>
  }

  // Retries of `complete` stop at the provider's response deadline (DESIGN.md): past it the
  // provider has given up on this attempt anyway, and the event is already queued.
  async function settle(
    keys: readonly string[],
    id: string,
    token: string,
    startedAt: number,
    step: DeliveryStepRunner,
    synchronous: SynchronousStore | undefined,
  ): Promise<void> {
    const deadline = startedAt + (provider.responseDeadlineMs ?? 2 * settings.enqueueTimeoutMs)
    for (let attempt = 1; attempt <= COMPLETE_ATTEMPTS; attempt++) {
      const budget = attempt === 1 ? settings.storeTimeoutMs : Math.min(settings.storeTimeoutMs, deadline - Date.now())
      if (budget <= 0) {
        report({ provider: name, phase: 'complete', id, error: storeError(new TimeoutError(), 'complete') })
        return
      }
      try {
        const options = { retentionMs: settings.retentionMs }
        const held = synchronous
          ? synchronous.complete(keys, token, options)
          : await step('complete', () => withTimeout(() => dedupe.complete(keys, token, options), budget))
        if (held === false) {
          report({
            provider: name,
            phase: 'complete',
            id,
            error: new WebhookStoreError(
              'store_unavailable',
              'the claim expired before complete (enqueue took longer than leaseMs); the event is queued, and a later retry may queue it again.',
              { provider: name },
            ),
          })
        }
        return
      } catch (error) {
        if (attempt === COMPLETE_ATTEMPTS) {
          report({ provider: name, phase: 'complete', id, error: storeError(error, 'complete') })
        }
      }
    }
  }

  async function release(keys: readonly string[], id: string, token: string, step: DeliveryStepRunner): Promise<void> {
    try {
      await step('release', () => withTimeout(() => dedupe.release(keys, token), settings.storeTimeoutMs))
    } catch (error) {
      // The lease still runs out, so the provider's later retry gets the id.
      report({ provider: name, phase: 'release', id, error: storeError(error, 'release') })
    }
  }

  async function handle(request: WebhookRequest): Promise<WebhookResponse> {
    if (!instrumentation) return deliver(request, untraced)
    const probe = instrumentation.start(request)
    let response: WebhookResponse | undefined
    try {
      response = await deliver(request, probe.step)
      return response
    } finally {
      probe.end(response)
    }
  }

  async function deliver(request: WebhookRequest, step: DeliveryStepRunner): Promise<WebhookResponse> {
    // Real time, not the injectable clock: it bounds how long this request may take.
    const startedAt = Date.now()
    const method = String(request.method ?? '').toUpperCase()
    if (!methods.includes(method)) {
      const error = new WebhookError(
        'method_not_allowed',
        `${method || 'this method'} is not accepted here; the provider sends ${methods.join(', ')}.`,
        { provider: name },
      )
      return reject(error, method, methodNotAllowed(error, methods))
    }
    const bytes = bodyBytes(request.body ?? '')
    if (bytes.byteLength > settings.maxBodyBytes) {
      return reject(tooLarge(), method)
    }
    const headers = normalizeHeaders(request.headers ?? {})
    const now = clock()
    // Decoded at most once, by whichever of the preset and buildEvent needs the text first.
    const decoded: DecodedBody = { bytes, exact: undefined }

    let result: Awaited<ReturnType<Provider<T>['verify']>>
    try {
      const verifyRequest = { method, url: request.url, headers, body: bytes, [DECODED_BODY]: decoded }
      result = await step('verify', () => provider.verify(verifyRequest, { now }))
    } catch (error) {
      report({ provider: name, phase: 'verify', error })
      return refused(
        new WebhookError('internal_error', 'verification failed unexpectedly; see onError.', { provider: name }),
      )
    }
    if (!result.ok) return reject(result.error, method)
    if (result.handshake) return result.handshake

    const { id } = result
    const keys = dedupeKeys(id, result.replayKeys)
    if (inbox) return acceptInto(inbox, keys, result, { method, url: request.url, decoded, headers, now }, step)
    // A store that answers without I/O is called directly when no instrumentation wraps the
    // steps: nothing to time out, and no promise or microtask turns per step.
    const synchronous = step === untraced ? synchronousStore(dedupe) : undefined
    let claim: Awaited<ReturnType<DedupeStore['claim']>>
    try {
      const options = { leaseMs: settings.leaseMs }
      claim = synchronous
        ? synchronous.claim(keys, options)
        : await step('claim', () => withTimeout(() => dedupe.claim(keys, options), settings.storeTimeoutMs))
      // A custom store that answers something else is treated like an unreachable one: 503, retried.
      invariant(
        claim?.state === 'duplicate' ||
          claim?.state === 'in-flight' ||
          (claim?.state === 'claimed' && typeof claim.token === 'string'),
        'DedupeStore.claim must resolve to { state: "claimed", token } | { state: "duplicate" } | { state: "in-flight" }',
      )
    } catch (error) {
      const failure = storeError(error, 'claim')
      report({ provider: name, phase: 'claim', id, error: failure })
      return refused(failure)
    }
    if (claim.state === 'duplicate') {
      callHook(options.onDuplicate, { provider: name, id }, id)
      return acceptedAnswer(result, id, true)
    }
    if (claim.state === 'in-flight') {
      const error = new WebhookError('in_flight', 'this event is being processed by another delivery; retry later.', {
        provider: name,
        status: inFlightStatus(provider.retriedStatuses),
      })
      return reject(error, method, inFlight(error, Math.max(1, Math.ceil(settings.enqueueTimeoutMs / 1000))))
    }

    let event: WebhookEvent<T>
    try {
      event = buildEvent(id, result.type, result.payload, decoded, headers, now, result.timestamp)
      const queued = event
      const { context, abort } = createAbortableEnqueueContext(keys[0] as string, settings.retentionMs)
      await step(
        'enqueue',
        () =>
          withTimeout(
            async () => {
              await expectPromise(
                transactional
                  ? enqueueCompleting(transactional, keys, claim.token, queued, context)
                  : (enqueue as NonNullable<typeof enqueue>)(queued, context),
              )
              // A helper's publish still running here was not awaited: the event is not stored yet.
              if (pendingPublishes(context) > 0) throw forgottenAwaitError(name)
            },
            settings.enqueueTimeoutMs,
            abort,
          ),
        queued,
      )
    } catch (error) {
      await release(keys, id, claim.token, step)
      const timedOut = error instanceof TimeoutError
      const failure = timedOut
        ? new WebhookError(
            'enqueue_timeout',
            `enqueue did not finish within ${settings.enqueueTimeoutMs} ms; the claim was released so the provider's retry is processed.`,
            { provider: name },
          )
        : new WebhookError(
            'enqueue_failed',
            "enqueue threw; the claim was released so the provider's retry is processed.",
            { provider: name, cause: error },
          )
      report({ provider: name, phase: 'enqueue', id, error: timedOut ? failure : error })
      return refused(failure)
    }
    if (!transactional) await settle(keys, id, claim.token, startedAt, step, synchronous)
    callHook(options.onAccepted, event, id)
    return acceptedAnswer(result, id, false)
  }

  function acceptedAnswer(
    result: { type: string; payload: T; acceptedResponse?: WebhookResponse },
    id: string,
    isDuplicate: boolean,
  ): WebhookResponse {
    const preset = result.acceptedResponse ?? (isDuplicate ? duplicate(id) : accepted(id))
    const override = options.acceptedResponse
    if (override === undefined) return preset
    if (typeof override !== 'function') return override
    try {
      const info = { provider: name, id, type: result.type, payload: result.payload, duplicate: isDuplicate, preset }
      return override(info) ?? preset
    } catch (error) {
      report({ provider: name, phase: 'hook', id, error })
      return preset
    }
  }

  // keys[0] is `provider:id`; the others come from signed material (see VerifyResult.replayKeys).
  function dedupeKeys(id: string, replayKeys: readonly string[] | undefined): string[] {
    const keys = [`${name}:${id}`]
    for (const extra of replayKeys ?? []) {
      const key = `${name}:${extra}`
      if (!keys.includes(key)) keys.push(key)
    }
    return keys
  }

  // One atomic step: the row (dedupe keys and delivery) is committed, or it is a duplicate, or
  // nothing was written and the provider retries. 200 only after the commit.
  async function acceptInto(
    target: Inbox,
    keys: readonly string[],
    result: Extract<Awaited<ReturnType<Provider<T>['verify']>>, { ok: true }>,
    request: { method: string; url: string; decoded: DecodedBody; headers: Record<string, string>; now: number },
    step: DeliveryStepRunner,
  ): Promise<WebhookResponse> {
    const { id } = result
    let event: WebhookEvent<T>
    try {
      event = buildEvent(
        id,
        result.type,
        result.payload,
        request.decoded,
        request.headers,
        request.now,
        result.timestamp,
      )
    } catch (error) {
      report({ provider: name, phase: 'accept', id, error })
      return refused(
        new WebhookError('internal_error', 'the event could not be built; nothing was stored; see onError.', {
          provider: name,
        }),
      )
    }
    let answer: Awaited<ReturnType<Inbox['accept']>>
    try {
      const delivery = {
        event,
        body: request.decoded.bytes,
        method: request.method,
        url: request.url,
        headers: withoutHeaders(request.headers, credentials),
      }
      answer = await step('accept', () => withTimeout(() => target.accept(keys, delivery), settings.storeTimeoutMs))
      invariant(
        answer?.state === 'accepted' || answer?.state === 'duplicate',
        'Inbox.accept must resolve to { state: "accepted" } | { state: "duplicate" }',
      )
    } catch (error) {
      const failure = storeError(error, 'accept')
      report({ provider: name, phase: 'accept', id, error: failure })
      return refused(failure)
    }
    if (answer.state === 'duplicate') {
      callHook(options.onDuplicate, { provider: name, id }, id)
      return acceptedAnswer(result, id, true)
    }
    callHook(options.onAccepted, event, id)
    return acceptedAnswer(result, id, false)
  }

  function tooLarge(): WebhookError {
    return new WebhookError('body_too_large', `the body is larger than maxBodyBytes (${settings.maxBodyBytes}).`, {
      provider: name,
    })
  }

  function refuse(code: AdapterRefusal, options: { message?: string; method?: string; cause?: unknown } = {}) {
    if (!instrumentation) return refusal(code, options)
    const probe = instrumentation.start({ method: String(options.method ?? 'POST').toUpperCase() })
    let response: WebhookResponse | undefined
    try {
      response = refusal(code, options)
      return response
    } finally {
      probe.end(response)
    }
  }

  function refusal(code: AdapterRefusal, options: { message?: string; method?: string; cause?: unknown }) {
    const method = String(options.method ?? 'POST').toUpperCase()
    if (code === 'body_too_large' && options.message === undefined) return reject(tooLarge(), method)
    const message =
      options.message ??
      (code === 'body_already_parsed'
        ? 'the request body was already consumed before the webhook handler; mount the webhook route before any body parser.'
        : 'the request could not be read.')
    const error = new WebhookError(code, message, { provider: name, cause: options.cause })
    if (code === 'internal_error') {
      report({ provider: name, phase: 'verify', error: options.cause ?? error })
      return refused(error)
    }
    return reject(error, method)
  }

  async function fetchHandler(request: Request): Promise<WebhookResponse> {
    const method = request.method.toUpperCase()
    if (!methods.includes(method)) {
      return handle({ method, url: request.url, headers: request.headers, body: '' })
    }
    const declared = Number(request.headers.get('content-length') ?? Number.NaN)
    if (declared > settings.maxBodyBytes) {
      // Not awaited, as in readLimited: a teed body's cancel never resolves on its own.
      request.body?.cancel().catch(() => {})
      return refuse('body_too_large', { method })
    }
    // A body that was already read ("Body is unusable") is a wiring mistake, not network input;
    // checked before reading, because a read that fails midway (the client went away) also
    // leaves `bodyUsed` set.
    if (request.bodyUsed) {
      return refuse('body_already_parsed', {
        method,
        message:
          'the request body was already read before the webhook handler; pass the untouched Request (do not call request.json() or request.text() first).',
      })
    }
    let read: Awaited<ReturnType<typeof readLimited>>
    try {
      read = await readLimited(request.body, settings.maxBodyBytes)
    } catch (error) {
      return refuse('internal_error', { method, cause: error })
    }
    if (!read.ok) {
      request.body?.cancel().catch(() => {})
      return refuse('body_too_large', { method })
    }
    return handle({ method, url: request.url, headers: request.headers, body: read.bytes })
  }

  return {
    provider,
    store,
    inbox,
    settings,
    methods,
    handle,
    refuse,
    async fetch(request) {
      let response: WebhookResponse
      try {
        response = await fetchHandler(request)
      } catch (error) {
        response = refuse('internal_error', { method: request.method, cause: error })
      }
      return toFetchResponse(response)
    },
  }
}
