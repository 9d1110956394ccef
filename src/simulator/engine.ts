// The provider simulator: delivers events to an endpoint the way a provider's delivery system
// does (its signer, its retry schedule, Retry-After, duplicates, reordering, broken connections)
// and counts what came back. Used by `webhook-inbox simulate` and importable by tests.
import { setMaxListeners } from 'node:events'
import { configInvariant } from '../errors.js'
import { type SampleProvider, sampleEvent, sampleEventTypes } from '../testing/samples.js'
import type { WebhookRequest } from '../types.js'
import { type AttemptResult, connections, sendAttempt } from './http.js'
import {
  DELIVERY_PROVIDERS,
  type DeliveryProfile,
  deliveryProfile,
  type FailureReason,
  type SignInput,
} from './profiles.js'

/** `provider`: the provider's own delays; `fast`: the same attempts, each delay divided by 1000. */
export type RetrySchedule = 'provider' | 'fast'

/** Options of {@link simulateProvider}. */
export interface SimulationOptions {
  /** A provider name (see `DELIVERY_PROVIDERS`) or a profile. */
  provider: SampleProvider | DeliveryProfile
  /** The secret the endpoint verifies with (Discord: the Ed25519 private key, PKCS#8 PEM). */
  secret: string
  /** The endpoint, `http://` or `https://`. */
  url: string
  /** Distinct events to deliver. @default 100 */
  events?: number
  /** Requests in flight at once. @default 10 */
  concurrency?: number
  /** Probability that an event is delivered twice, half of the copies concurrently and half after the first is answered. @default 0 */
  duplicates?: number
  /** Deliver the events in a shuffled order instead of the order they were created in. @default false */
  reorder?: boolean
  /** @default 'provider' */
  retrySchedule?: RetrySchedule
  /** Probability that an attempt's connection is cut after half of the body. @default 0 */
  failConnection?: number
  /** Event types to cycle through. @default every sample type of the provider */
  eventTypes?: readonly string[]
  /** A raw body sent for every event instead of samples (its id is then whatever it holds). */
  payload?: string
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** Per-attempt deadline. @default the provider's */
  timeoutMs?: number
  /** Seed of the random choices (order, duplicates, dropped connections). @default random */
  seed?: number
  /** Signing clock, epoch ms. @default Date.now */
  now?: () => number
  /** Waits between attempts; injectable for tests. @default setTimeout */
  sleep?: (ms: number) => Promise<void>
  /** Called after every attempt with the counts so far. */
  onProgress?: (progress: SimulationProgress) => void
  /**
   * Called with each attempt's record as soon as its outcome is known (before the retry wait), so
   * that a test can check the endpoint's state at the moment the provider saw the answer.
   */
  onAttempt?: (attempt: AttemptRecord) => void
  /** Stops scheduling retries and new attempts. */
  signal?: AbortSignal
  /**
   * Stop the whole run when connections are refused (or the host is unknown) before the endpoint
   * has answered anything: nothing is listening, and retrying for days would only hide that.
   * @default true
   */
  stopWhenUnreachable?: boolean
}

/** Counts while a simulation runs. */
export interface SimulationProgress {
  events: number
  /** Events acknowledged (a 2xx) or given up on. */
  settled: number
  acknowledged: number
  attempts: number
}

/** One attempt, as recorded in the report. */
export interface AttemptRecord {
  eventId: string
  delivery: number
  retry: number
  /** The HTTP status, or `dropped`, `timeout`, `error`. */
  outcome: string
  latencyMs: number
}

/** What a simulation found. */
export interface SimulationReport {
  provider: string
  url: string
  seed: number
  retrySchedule: RetrySchedule
  /** Distinct events. */
  events: number
  /** Deliveries, duplicates included (each retried on its own, as providers do). */
  deliveries: number
  /** HTTP requests sent, retries included. */
  attempts: number
  /** Events acknowledged with a 2xx. */
  accepted: number
  /** 2xx answers whose body said `"duplicate": true`. */
  duplicatesAnswered: number
  /**
   * 2xx answers that did not say duplicate, for an event already answered that way once (expected
   * for providers whose acknowledgement is a fixed body, e.g. Twilio, Discord). A "200 duplicate"
   * that overtakes the original's 200 does not count.
   */
  acceptedAgain: number
  /** Attempts that were retries. */
  retried: number
  /** Events never acknowledged: the endpoint lost them, as far as the provider knows. */
  stillFailing: number
  /** Ids of those events. */
  failingIds: string[]
  latencyMs: { p50: number; p99: number; max: number }
  /** Attempts per outcome: HTTP status, `dropped`, `timeout`, `error`. */
  statuses: Record<string, number>
  /** Set when the run stopped because nothing answered at `url`: the connection error code. */
  unreachable?: string
  /** Wall-clock duration of the run. */
  durationMs: number
  /** Every attempt, in the order answered. */
  log: AttemptRecord[]
}

/** Providers whose event id is a header outside the signed bytes, and whose samples carry no id. */
const ID_OUTSIDE_BODY: ReadonlySet<string> = new Set(['github', 'shopify', 'linear'])

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/** Divides every delay of the `fast` schedule. */
export const FAST_DIVISOR = 1000

function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function semaphore(limit: number) {
  let active = 0
  const waiting: (() => void)[] = []
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
      else active++
      try {
        return await task()
      } finally {
        const next = waiting.shift()
        if (next) next()
        else active--
      }
    },
  }
}

/** Seconds or an HTTP date, as `Retry-After` allows (RFC 9110 §10.2.3); `undefined` when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return undefined
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number
}

function eventId(provider: string, run: string, index: number): string {
  const serial = `${run}${index.toString(36).padStart(5, '0')}`
  switch (provider) {
    case 'stripe':
      return `evt_sim${serial}`
    case 'paddle':
      return `evt_sim${serial}`.toLowerCase()
    case 'standard-webhooks':
      return `msg_sim${serial}`
    case 'slack':
      return `EvSIM${serial}`.toUpperCase()
    case 'discord':
      return String(BigInt(Date.now() - 1_420_070_400_000) * 4_194_304n + BigInt(index))
    default:
      return globalThis.crypto.randomUUID()
  }
}

function saysDuplicate(body: string): boolean {
  if (!body.includes('duplicate')) return false
  try {
    return (JSON.parse(body) as { duplicate?: unknown }).duplicate === true
  } catch {
    return false
  }
}

function reasonOf(result: AttemptResult): FailureReason {
  if (result.kind === 'timeout') return 'http_timeout'
  if (result.kind === 'response') return 'http_error'
  return 'connection_failed'
}

function outcomeOf(result: AttemptResult): string {
  return result.kind === 'response' ? String(result.status) : result.kind
}

/**
 * Delivers `events` distinct events to `url` as `provider` does, and reports what the endpoint
 * answered. Every non-2xx answer, timeout and broken connection is retried on the provider's
 * schedule (or, with `retrySchedule: 'fast'`, the same schedule divided by 1000), waiting for
 * `Retry-After` instead when the answer has one; a retry is signed again where the provider signs
 * each attempt (a new timestamp) and resent byte for byte where it does not.
 *
 * @example
 * import { simulateProvider } from 'webhook-inbox/simulator'
 * const report = await simulateProvider({ provider: 'stripe', secret: 'whsec_test', url: 'http://127.0.0.1:3000/webhooks/stripe',
 *   events: 200, duplicates: 0.3, reorder: true, retrySchedule: 'fast' })
 * if (report.stillFailing > 0) process.exitCode = 1
 */
export async function simulateProvider(options: SimulationOptions): Promise<SimulationReport> {
  const found = typeof options.provider === 'string' ? deliveryProfile(options.provider) : options.provider
  configInvariant(
    found,
    `simulateProvider: unknown provider "${String(options.provider)}"; known: ${DELIVERY_PROVIDERS.join(', ')}.`,
  )
  const profile: DeliveryProfile = found
  configInvariant(
    typeof options.url === 'string' && /^https?:\/\//.test(options.url),
    'simulateProvider: `url` must be an http:// or https:// URL.',
  )
  configInvariant(
    typeof options.secret === 'string' && options.secret.length > 0,
    `simulateProvider: \`secret\` is required: ${profile.secretHint}.`,
  )
  const count = options.events ?? 100
  const concurrency = Math.max(1, options.concurrency ?? 10)
  const duplicates = options.duplicates ?? 0
  const failConnection = options.failConnection ?? 0
  const schedule = options.retrySchedule ?? 'provider'
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const random = mulberry32(seed)
  const clock = options.now ?? Date.now
  const stop = new AbortController()
  // Every event waiting for a retry listens on it at once: thousands in a large run, legitimately.
  setMaxListeners(0, stop.signal)
  if (options.signal?.aborted) stop.abort()
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true })
  const sleep =
    options.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        if (stop.signal.aborted) return resolve()
        // One listener per wait, removed when the wait ends: a long run would otherwise pile
        // thousands on the signal.
        const onAbort = () => {
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          stop.signal.removeEventListener('abort', onAbort)
          resolve()
        }, ms)
        stop.signal.addEventListener('abort', onAbort, { once: true })
      }))
  let unreachable: string | undefined
  let answered = false
  const scale = (ms: number) => (schedule === 'fast' ? Math.round(ms / FAST_DIVISOR) : ms)
  const types = options.eventTypes?.length ? options.eventTypes : sampleEventTypes(profile.provider)
  const timeoutMs = options.timeoutMs ?? profile.timeoutMs
  const run = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')
  const pool = connections(concurrency)
  const slots = semaphore(concurrency)
  const started = performance.now()

  const log: AttemptRecord[] = []
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let deliveries = 0
  let retried = 0
  let duplicatesAnswered = 0
  let acceptedAgain = 0
  let settled = 0
  const acknowledged = new Set<string>()
  // Events answered 2xx without `duplicate` at least once. Kept apart from `acknowledged`: the
  // original's 200 can reach us after a concurrent copy's "200 duplicate" (the copy arrived once
  // the event was stored, and its answer overtook the original's), which is no second acceptance.
  const acceptedOnce = new Set<string>()
  const progress = () =>
    options.onProgress?.({ events: count, settled, acknowledged: acknowledged.size, attempts: log.length })

  const events = Array.from({ length: count }, (_, index) => {
    const id = eventId(profile.provider, run, index)
    const type = types[index % types.length] as string
    const sample = sampleEvent(profile.provider, type, { id, now: clock() }).body
    // Where the id travels only in an unsigned header, two samples of one type would be the same
    // signed bytes, which a receiver rightly takes for one event (a replay under a new header):
    // such samples carry the simulation's id so that distinct events stay distinct.
    const body =
      options.payload ?? (ID_OUTSIDE_BODY.has(profile.provider) ? { ...sample, simulation_event_id: id } : sample)
    return { id, type, body }
  })
  const order = events.map((_, index) => index)
  if (options.reorder) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j] as number, order[i] as number]
    }
  }

  const sign = (event: SignInput['event'], retry: number, reason?: FailureReason): Promise<WebhookRequest> =>
    profile
      .sign({ event, secret: options.secret, url: options.url, now: clock(), retry, reason })
      .then((request) =>
        options.headers ? { ...request, headers: { ...request.headers, ...options.headers } } : request,
      )

  async function deliver(event: (typeof events)[number], delivery: number): Promise<void> {
    deliveries++
    let request: WebhookRequest | undefined
    let reason: FailureReason | undefined
    for (let retry = 0; ; retry++) {
      if (stop.signal.aborted) return
      const drop = failConnection > 0 && random() < failConnection
      // Signed once a connection slot is free, as a provider signs when it sends: signing before
      // the wait made attempts queued behind many others arrive with stale timestamps (Linear
      // refuses a body timestamp older than 60 s).
      const result = await slots.run(async () => {
        if (stop.signal.aborted) return undefined
        if (!request || profile.resignsRetries) request = await sign(event, retry, reason)
        return sendAttempt(request, { connections: pool, timeoutMs, dropMidBody: drop })
      })
      if (!result) return
      const outcome = outcomeOf(result)
      statuses[outcome] = (statuses[outcome] ?? 0) + 1
      if (retry > 0) retried++
      if (result.kind === 'response') {
        answered = true
        latencies.push(result.latencyMs)
      } else if (
        result.kind === 'error' &&
        !answered &&
        options.stopWhenUnreachable !== false &&
        UNREACHABLE.has(result.code ?? '')
      ) {
        unreachable = result.code
        stop.abort()
      }
      const attempt = { eventId: event.id, delivery, retry, outcome, latencyMs: Math.round(result.latencyMs * 10) / 10 }
      log.push(attempt)
      options.onAttempt?.(attempt)
      if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
        if (saysDuplicate(result.body)) duplicatesAnswered++
        else if (acceptedOnce.has(event.id)) acceptedAgain++
        else acceptedOnce.add(event.id)
        acknowledged.add(event.id)
        progress()
        return
      }
      progress()
      const delay = profile.retryDelaysMs[retry]
      if (delay === undefined) return
      const asked = result.kind === 'response' ? retryAfterMs(result.headers['retry-after'], clock()) : undefined
      await sleep(scale(asked ?? delay))
      reason = reasonOf(result)
    }
  }

  async function deliverEvent(index: number): Promise<void> {
    const event = events[index] as (typeof events)[number]
    const copy = duplicates > 0 && random() < duplicates ? (random() < 0.5 ? 'concurrent' : 'sequential') : undefined
    if (copy === 'concurrent') await Promise.all([deliver(event, 0), deliver(event, 1)])
    else {
      await deliver(event, 0)
      if (copy === 'sequential') await deliver(event, 1)
    }
    settled++
    progress()
  }

  try {
    await Promise.all(order.map(deliverEvent))
  } finally {
    pool.close()
  }
  latencies.sort((a, b) => a - b)
  const failingIds = events.filter((event) => !acknowledged.has(event.id)).map((event) => event.id)
  const round = (ms: number) => Math.round(ms * 10) / 10
  return {
    provider: profile.provider,
    url: options.url,
    seed,
    retrySchedule: schedule,
    events: count,
    deliveries,
    attempts: log.length,
    accepted: acknowledged.size,
    duplicatesAnswered,
    acceptedAgain,
    retried,
    stillFailing: failingIds.length,
    failingIds,
    latencyMs: {
      p50: round(percentile(latencies, 0.5)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies.at(-1) ?? 0),
    },
    statuses,
    unreachable,
    durationMs: Math.round(performance.now() - started),
    log,
  }
}
