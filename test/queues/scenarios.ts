// The queue proofs of issue 10, written once and run against each engine. Every count is the
// consumer's: what a real consumer of the queue received and processed, never the handler's view.
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { amqpUrl, databaseUrl, natsUrl, redisUrl } from '../helpers/services.js'
import { type CutMode, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import {
  type Answer,
  closeWorkers,
  deliver,
  deliverThroughCuts,
  deliverUntilOk,
  pool,
  runId,
  SECRET,
  startWorkers,
  tally,
  type Worker,
} from '../proofs/harness.js'
import { type CountingConsumer, startConsumer } from './fixtures/consumers.js'
import type { Engine, EngineNames } from './fixtures/engines.js'
import type { QueueWorkerConfig, QueueWorkerRequest, QueueWorkerSettings } from './fixtures/queue-worker.js'

const WORKER = fileURLToPath(new URL('./fixtures/queue-worker.ts', import.meta.url))
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export type Measured = Record<string, number | string>

const URLS = { redis: redisUrl(), postgres: databaseUrl(), amqp: amqpUrl(), nats: natsUrl() }

function engineUrl(engine: Engine): string {
  return { bullmq: URLS.redis, 'pg-boss': URLS.postgres, amqp: URLS.amqp, nats: URLS.nats }[engine]
}

function viaProxy(url: string, port: number): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(port)
  return parsed.toString()
}

function namesFor(engine: Engine, run: string): EngineNames {
  switch (engine) {
    case 'bullmq':
      return { space: `wi-proof-${run}`, queue: 'webhooks' }
    case 'pg-boss':
      return { space: `wi_proof_${run}`, queue: 'webhooks' }
    case 'amqp':
      return { space: `wi-proof-${run}`, queue: `wi-proof-${run}` }
    case 'nats':
      return { space: `WI_PROOF_${run}`, queue: `wi.proof.${run}` }
  }
}

function log(title: string, measured: Measured): void {
  console.info(`[proofs] ${title}: ${JSON.stringify(measured)}`)
}

/**
 * One engine's proof rig, opened once for all three proofs: the counting consumer, a TCP proxy in
 * front of the engine, and the receiving processes (shared by every engine, see
 * {@link closeReceivers}) reaching the engine through it, with one Redis dedupe store.
 */
export interface EngineRig {
  readonly engine: Engine
  readonly consumer: CountingConsumer
  readonly workers: Worker[]
  readonly proxy: TcpProxy
  /** Replaces every worker's handler with one using these settings. */
  configure(settings: QueueWorkerSettings): Promise<void>
  close(): Promise<void>
}

const DEFAULT_PORTS: Record<Engine, number> = { bullmq: 6379, 'pg-boss': 5432, amqp: 5672, nats: 4222 }

/** Sends one request to a receiving process and resolves on its answer. */
function ask(worker: Worker, request: QueueWorkerRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const listener = (message: { type?: string; request?: string; message?: string }) => {
      if ((message?.type !== 'done' && message?.type !== 'failed') || message.request !== request.type) return
      worker.child.off('message', listener)
      if (message.type === 'done') resolve()
      else reject(new Error(`${worker.name}: ${request.type} failed: ${message.message}`))
    }
    worker.child.on('message', listener)
    worker.child.send(request)
  })
}

let receivers: Promise<Worker[]> | undefined

/** The receiving processes every engine's rig uses, started on first use. */
function sharedReceivers(processes: number): Promise<Worker[]> {
  receivers ??= startWorkers(
    range(processes).map((i): QueueWorkerConfig => ({ name: `w${i}`, redisUrl: URLS.redis, secret: SECRET })),
    WORKER,
  )
  return receivers
}

/** Stops the shared receiving processes (after the last rig closed). */
export async function closeReceivers(): Promise<void> {
  const started = receivers
  receivers = undefined
  if (started) await closeWorkers(await started.catch(() => []))
}

export async function openRig(engine: Engine, { processes = 3 } = {}): Promise<EngineRig> {
  const run = runId()
  const names = namesFor(engine, run)
  const namespace = `wi-proof-store-${run}:`
  const target = new URL(engineUrl(engine))
  const workers = await sharedReceivers(processes)
  const proxy = await startTcpProxy({
    target: { host: target.hostname, port: Number(target.port || DEFAULT_PORTS[engine]) },
  })
  let consumer: CountingConsumer | undefined
  async function close(): Promise<void> {
    await Promise.allSettled(workers.map((worker) => ask(worker, { type: 'release' })))
    await consumer?.close()
    await proxy.close()
    const { Redis } = await import('ioredis')
    const redis = new Redis(URLS.redis)
    const keys = await redis.keys(`${namespace}*`)
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500))
    redis.disconnect()
  }
  try {
    consumer = await startConsumer(engine, URLS, names)
    const opened = { engine, engineUrl: viaProxy(engineUrl(engine), proxy.port), namespace, ...names }
    await Promise.all(workers.map((worker) => ask(worker, { type: 'open', target: opened, settings: EXACTLY_ONCE })))
  } catch (error) {
    await close()
    throw error
  }
  const counting = consumer
  return {
    engine,
    consumer: counting,
    workers,
    proxy,
    close,
    async configure(settings) {
      await Promise.all(workers.map((worker) => ask(worker, { type: 'configure', settings })))
      counting.reset()
    },
  }
}

// Generous for the concurrency proof: the machine's services are shared.
const EXACTLY_ONCE: QueueWorkerSettings = { leaseMs: 15_000, enqueueTimeoutMs: 5_000, storeTimeoutMs: 5_000 }

/** Waits until the consumer processed every id, then a little longer, so that a late duplicate is counted too. */
async function drained(consumer: CountingConsumer, ids: readonly string[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (ids.some((id) => !consumer.processed.has(id)) && Date.now() < until) await sleep(50)
  await sleep(750)
}

function expectProcessedOnce(consumer: CountingConsumer, ids: readonly string[]): void {
  const wrong = ids
    .filter((id) => consumer.processed.get(id) !== 1)
    .map((id) => `${id}×${consumer.processed.get(id) ?? 0}`)
  expect(wrong, 'ids the consumer did not process exactly once').toEqual([])
  expect(consumer.processed.size, 'ids the consumer processed (unknown ids included)').toBe(ids.length)
  if (consumer.engine !== 'amqp') {
    // The engines with their own idempotency deliver each id once; no consumer-side check needed.
    expect(
      [...consumer.received.values()].filter((n) => n !== 1),
      'ids the engine delivered more than once',
    ).toEqual([])
  }
}

const redelivered = (consumer: CountingConsumer) => [...consumer.received.values()].reduce((sum, n) => sum + n - 1, 0)

/**
 * Proof 1: several processes, one store, every id delivered `copies` times. The first copies race
 * at once, one in each process (every process takes part in every id's claim race); the rest
 * arrive as soon as the first copy was answered 200, while the losers of the race are still
 * retrying their 409s, as a provider's late duplicates do. The consumer processes each id exactly
 * once. (All copies at once would add only more 409s and retries of the same race: the
 * processes are the racers, and three copies already put each of them in it.)
 */
export async function proveQueueExactlyOnce(
  rig: EngineRig,
  { events = 1_000, copies = 5, concurrency = 40 } = {},
): Promise<Measured> {
  const { engine, consumer } = rig
  await rig.configure(EXACTLY_ONCE)
  const urls = rig.workers.map((worker) => worker.url)
  const racing = Math.min(copies, urls.length)
  const ids = range(events).map((i) => `evt_${i}`)
  const started = performance.now()
  const deliveries = await pool(ids, concurrency, async (id, i) => {
    // Copy k goes first to process (i + k) mod n.
    const race = range(racing).map((k) => deliverUntilOk(() => urls, id, { first: i + k }))
    await Promise.race(race)
    const late = range(copies - racing).map((j) => deliverUntilOk(() => urls, id, { first: i + racing + j }))
    return Promise.all([...race, ...late])
  })
  await drained(consumer, ids)
  const elapsedMs = Math.round(performance.now() - started)
  expectProcessedOnce(consumer, ids)
  const answers: Answer[] = deliveries.flat().flatMap((d) => d.answers)
  const refusals = tally(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.error}`))
  expect(
    [...refusals.keys()].filter((key) => key !== '409 in_flight'),
    'answers other than 200 and 409',
  ).toEqual([])
  const measured = {
    engine,
    processes: rig.workers.length,
    events,
    deliveries: events * copies,
    racing,
    attempts: answers.length,
    engineRedeliveries: redelivered(consumer),
    elapsedMs,
  }
  log(`${engine} exactly once across processes`, measured)
  return measured
}

/**
 * Proof 2: the complete-after-enqueue window, forced. The store's `complete` always fails after
 * the event was enqueued, so the id's claim lapses with its lease; the provider's retry after the
 * lease is enqueued a second time, and the engine's idempotency id keeps it one job or message
 * (RabbitMQ: two messages, the consumer's messageId check keeps one).
 */
export async function proveCompleteWindow(rig: EngineRig, { events = 40, leaseMs = 1_200 } = {}): Promise<Measured> {
  const { engine, consumer } = rig
  await rig.configure({ failComplete: true, leaseMs, enqueueTimeoutMs: 1_000, storeTimeoutMs: 300 })
  const reportedBefore = rig.workers.map((worker) => worker.messages.length)
  const urls = rig.workers.map((worker) => worker.url)
  const ids = range(events).map((i) => `evt_window_${i}`)
  const first = await Promise.all(ids.map((id, i) => deliver(urls[i % urls.length]!, id)))
  const firstAt = performance.now()
  // 2xx even though complete failed: the event is queued (DESIGN.md), and the failure is reported.
  expect(first.map((a) => a.status)).toEqual(ids.map(() => 200))
  // Real time, not an aged timestamp: the lease runs on the Redis server's clock.
  await sleep(Math.max(0, leaseMs + 300 - (performance.now() - firstAt)))
  const second = await Promise.all(ids.map((id, i) => deliver(urls[(i + 1) % urls.length]!, id)))
  expect(second.map((a) => `${a.status}${a.duplicate ? ' duplicate' : ''}`)).toEqual(ids.map(() => '200'))
  await drained(consumer, ids)
  expectProcessedOnce(consumer, ids)
  const completeFailures = rig.workers
    .flatMap((worker, i) => worker.messages.slice(reportedBefore[i]))
    .filter((m) => m.type === 'handler-error' && m.phase === 'complete').length
  expect(completeFailures, 'complete failures reported, one per delivery').toBe(2 * events)
  if (engine === 'amqp') {
    expect(redelivered(consumer), 'RabbitMQ has no broker dedupe: every id arrived twice').toBe(events)
  }
  const measured = { engine, events, enqueuedTwice: events, engineRedeliveries: redelivered(consumer) }
  log(`${engine} complete-after-enqueue window`, measured)
  return measured
}

/**
 * Proof 3: the engine link cut mid-run (refused, then a silent partition) through a TCP proxy.
 * Deliveries answer 5xx while it is down, nothing answered 200 goes missing, and after the
 * restore every id reaches the consumer once.
 */
export async function proveEngineOutage(
  rig: EngineRig,
  { events = 200, concurrency = 12, cutMs = 1_200, modes = ['reset', 'blackhole'] as CutMode[] } = {},
): Promise<Measured> {
  const { engine, consumer, proxy } = rig
  await rig.configure({ leaseMs: 2_500, enqueueTimeoutMs: 1_000, storeTimeoutMs: 1_000 })
  const urls = rig.workers.map((worker) => worker.url)
  const ids = range(events).map((i) => `evt_outage_${i}`)
  const started = performance.now()
  const { deliveries, probes, probeAnswers } = await deliverThroughCuts(urls, ids, proxy, { concurrency, cutMs, modes })
  expect(
    probeAnswers.map((a) => a.status >= 500 && a.status <= 503),
    `deliveries while ${engine} was unreachable: ${probeAnswers.map((a) => `${a.status} ${a.error}`).join(', ')}`,
  ).toEqual(probes.map(() => true))
  const all = [...ids, ...probes]
  await drained(consumer, all)
  const elapsedMs = Math.round(performance.now() - started)
  expectProcessedOnce(consumer, all)
  const answers = deliveries.flatMap((d) => d.answers)
  const statuses = tally(answers.map((a) => String(a.status)))
  expect(
    [...statuses.keys()].filter((s) => !['200', '409', '500', '503'].includes(s)),
    'unexpected statuses',
  ).toEqual([])
  const measured = {
    engine,
    events: all.length,
    cuts: modes.join('+'),
    attempts: answers.length,
    answered5xx: (statuses.get('500') ?? 0) + (statuses.get('503') ?? 0),
    answered409: statuses.get('409') ?? 0,
    engineRedeliveries: redelivered(consumer),
    elapsedMs,
  }
  log(`${engine} engine unreachable mid-run`, measured)
  return measured
}
