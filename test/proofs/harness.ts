// The test side of the multi-process proofs: worker processes, a provider that signs and
// retries like Stripe does, and a bounded-concurrency runner.
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Agent, type ClientRequest, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { fileURLToPath } from 'node:url'
import { signStripeRequest } from '../../src/testing/index.js'
import type { CutMode, TcpProxy } from '../helpers/tcp-proxy.js'
import type { InboxProcessMessage } from './fixtures/inbox-process.js'
import type { WorkerMessage as StoreWorkerMessage, WorkerConfig } from './fixtures/worker.js'

/** Messages from any proof process: a store receiver, or an inbox receiver or worker. */
export type WorkerMessage = StoreWorkerMessage | InboxProcessMessage

const WORKER_PATH = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url))
// `--import tsx` resolves from the working directory: the repository root.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const START_TIMEOUT_MS = 20_000

export const SECRET = 'whsec_proofs_only'

/** A short random suffix for prefixes and table names, so that concurrent runs never share data. */
export function runId(): string {
  return randomBytes(5).toString('hex')
}

export interface Worker {
  readonly name: string
  readonly url: string
  readonly child: ChildProcess
  readonly messages: WorkerMessage[]
  /** Resolves with the first message (already received or future) that matches. */
  waitFor<M extends WorkerMessage>(match: (message: WorkerMessage) => message is M, timeoutMs?: number): Promise<M>
  /** SIGKILL, then resolves once the process is gone. */
  kill(): Promise<void>
  /** Asks the worker to close its server and clients, SIGKILL after a grace period. */
  close(): Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Forks a receiving process; `path` is the worker script (the store proofs' one by default). */
export async function startWorker(config: WorkerConfig | { name: string }, path = WORKER_PATH): Promise<Worker> {
  const child = fork(path, [], {
    execArgv: ['--import', 'tsx'],
    cwd: ROOT,
    env: { ...process.env, PROOF_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const messages: WorkerMessage[] = []
  const listeners = new Set<(message: WorkerMessage) => void>()
  child.on('message', (message: WorkerMessage) => {
    messages.push(message)
    for (const listener of listeners) listener(message)
  })

  function waitFor<M extends WorkerMessage>(
    match: (message: WorkerMessage) => message is M,
    timeoutMs = START_TIMEOUT_MS,
  ): Promise<M> {
    const found = messages.find(match)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener)
        reject(new Error(`worker ${config.name}: no matching message within ${timeoutMs} ms`))
      }, timeoutMs)
      const listener = (message: WorkerMessage) => {
        if (message.type === 'fatal') {
          clearTimeout(timer)
          listeners.delete(listener)
          reject(new Error(`worker ${config.name} failed: ${message.message}`))
        } else if (match(message)) {
          clearTimeout(timer)
          listeners.delete(listener)
          resolve(message)
        }
      }
      listeners.add(listener)
    })
  }

  const ready = await Promise.race([
    waitFor((m): m is Extract<WorkerMessage, { type: 'ready' }> => m.type === 'ready'),
    exited(child).then(() => {
      throw new Error(`worker ${config.name} exited before it was ready`)
    }),
  ])

  return {
    name: config.name,
    url: `http://127.0.0.1:${ready.port}/webhooks/stripe`,
    child,
    messages,
    waitFor,
    async kill() {
      child.kill('SIGKILL')
      await exited(child)
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.send({ type: 'close' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited(child)
      clearTimeout(timer)
    },
  }
}

export function startWorkers(configs: (WorkerConfig | { name: string })[], path = WORKER_PATH): Promise<Worker[]> {
  return Promise.all(configs.map((config) => startWorker(config, path)))
}

export async function closeWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.allSettled(workers.map((worker) => worker.close()))
}

export function stripeEvent(id: string): object {
  return { id, object: 'event', type: 'invoice.paid', data: { object: { id: `in_${id}`, amount_paid: 4200 } } }
}

/** One answer as the provider saw it; `status` 0 is a connection failure. */
export interface Answer {
  status: number
  worker?: string
  duplicate?: boolean
  retryAfter?: string
  /** The refusal's error code, or why the connection failed when `status` is 0. */
  error?: string
}

// node:http rather than fetch: the provider side of the proofs sends thousands of deliveries,
// and on 2 shared cores fetch's per-request cost made the test client the bottleneck.
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

class NoAnswerError extends Error {}

// One timer for every request in flight, not an AbortSignal.timeout each: with thousands of
// requests, the signals, their timers and listeners cost more of the test process's CPU than the
// requests' own JavaScript (measured with --cpu-prof).
const deadlines = new Map<ClientRequest, number>()
let sweeper: ReturnType<typeof setInterval> | undefined
function watch(request: ClientRequest, timeoutMs: number): void {
  deadlines.set(request, Date.now() + timeoutMs)
  sweeper ??= setInterval(() => {
    const now = Date.now()
    for (const [pending, deadline] of deadlines) {
      if (deadline <= now) {
        deadlines.delete(pending)
        pending.destroy(new NoAnswerError())
      }
    }
    if (deadlines.size === 0) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }, 250)
  sweeper.unref()
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () => {
          deadlines.delete(request)
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          })
        })
      },
    )
    watch(request, timeoutMs)
    request.on('error', (error) => {
      deadlines.delete(request)
      reject(error)
    })
    request.end(body)
  })
}

// Stripe signs `<seconds>.<body>`: every attempt of one event within one second carries the same
// header, so it is computed once per event and second (the copies and retries of an event
// arrive within milliseconds of each other) instead of once per attempt.
const signatures = new Map<string, Promise<Awaited<ReturnType<typeof signStripeRequest>>>>()
function signed(id: string): Promise<Awaited<ReturnType<typeof signStripeRequest>>> {
  const now = Date.now()
  const key = `${Math.floor(now / 1000)}:${id}`
  let found = signatures.get(key)
  if (!found) {
    if (signatures.size > 5_000) signatures.clear()
    found = signStripeRequest({ secret: SECRET, body: stripeEvent(id), now })
    signatures.set(key, found)
  }
  return found
}

/** One delivery attempt, signed like Stripe signs every attempt (with the current time). */
export async function deliver(url: string, id: string, timeoutMs = 15_000): Promise<Answer> {
  const request = await signed(id)
  try {
    const response = await post(url, request.headers as Record<string, string>, request.body as string, timeoutMs)
    const header = (name: string) => {
      const value = response.headers[name]
      return typeof value === 'string' ? value : undefined
    }
    const answer: Answer = {
      status: response.status,
      worker: header('x-proof-worker'),
      retryAfter: header('retry-after'),
    }
    if (response.status === 200) {
      answer.duplicate = (JSON.parse(response.text) as { duplicate?: boolean }).duplicate === true
    } else {
      answer.error = (JSON.parse(response.text) as { error?: { code?: string } }).error?.code
    }
    return answer
  } catch (error) {
    // A delivery that never gets an answer is exactly what the store timeout must prevent.
    if (error instanceof NoAnswerError) throw new Error(`delivery of ${id} got no answer within ${timeoutMs} ms`)
    return { status: 0, error: (error as { code?: string }).code ?? String(error) }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface RetryingDelivery {
  /** Every answer, in order; the last one is the 200. */
  answers: Answer[]
}

/**
 * What a provider does with one event: deliver, and on anything but 2xx wait and deliver again,
 * possibly to another instance behind the load balancer (`urls()` is read on every attempt).
 * The wait honours `Retry-After` up to `maxWaitMs`, so the proofs stay fast.
 */
export async function deliverUntilOk(
  urls: () => readonly string[],
  id: string,
  { first = 0, maxWaitMs = 150, deadlineMs = 30_000 }: { first?: number; maxWaitMs?: number; deadlineMs?: number } = {},
): Promise<RetryingDelivery> {
  const answers: Answer[] = []
  const giveUp = Date.now() + deadlineMs
  for (let attempt = 0; ; attempt++) {
    const targets = urls()
    const answer = await deliver(targets[(first + attempt) % targets.length]!, id)
    answers.push(answer)
    if (answer.status === 200) return { answers }
    if (Date.now() > giveUp) {
      throw new Error(`${id}: no 200 after ${answers.length} attempts: ${answers.map((a) => a.status).join(',')}`)
    }
    const hinted = answer.retryAfter ? Number(answer.retryAfter) * 1000 : maxWaitMs
    await sleep(Math.min(hinted, maxWaitMs) * (0.5 + Math.random() / 2))
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pool<I, O>(items: readonly I[], limit: number, work: (item: I, index: number) => Promise<O>) {
  const results = new Array<O>(items.length)
  let next = 0
  async function lane(): Promise<void> {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

/** What {@link deliverThroughCuts} saw: every delivery (the probes' retries last) and the probes' answers during the cuts. */
export interface CutFlow {
  deliveries: RetryingDelivery[]
  /** Fresh ids delivered while the link was cut, 4 per cut, named `evt_probe_<mode>_<k>`. */
  probes: string[]
  /** Their answers during the cut, in `probes` order. */
  probeAnswers: Answer[]
}

/**
 * A provider's steady flow of `ids` (`concurrency` at a time, each retried until 200) while the
 * proxy's link is cut once per mode: at 1/(n+1), 2/(n+1), ... of the flow, for `cutMs` each.
 * During each cut, 4 fresh probe ids are delivered once, then `duringCut` runs (given the
 * `performance.now()` of the cut and the probes so far); after the last restore the probes are
 * retried like every other id. The link is restored even on failure.
 */
export async function deliverThroughCuts(
  urls: readonly string[],
  ids: readonly string[],
  proxy: TcpProxy,
  {
    concurrency,
    cutMs,
    modes,
    duringCut,
  }: {
    concurrency: number
    cutMs: number
    modes: readonly CutMode[]
    duringCut?: (mode: CutMode, cutAt: number, probes: readonly string[]) => Promise<void>
  },
): Promise<CutFlow> {
  let finished = 0
  let failed: unknown
  const flow = pool(ids, concurrency, async (id, i) => {
    const delivery = await deliverUntilOk(() => urls, id, { first: i })
    finished++
    return delivery
  })
  flow.catch((error: unknown) => {
    failed = error
  })
  const probes: string[] = []
  const probeAnswers: Answer[] = []
  try {
    for (const [round, mode] of modes.entries()) {
      const mark = Math.floor((ids.length * (round + 1)) / (modes.length + 1))
      while (finished < mark && failed === undefined) await sleep(20)
      if (failed !== undefined) throw failed
      proxy.cut(mode)
      const cutAt = performance.now()
      const fresh = Array.from({ length: 4 }, (_, k) => `evt_probe_${mode}_${k}`)
      probes.push(...fresh)
      probeAnswers.push(...(await Promise.all(fresh.map((id, k) => deliver(urls[k % urls.length]!, id)))))
      await duringCut?.(mode, cutAt, probes)
      await sleep(Math.max(0, cutMs - (performance.now() - cutAt)))
      proxy.restore()
    }
  } finally {
    // A failed proof must not leave the link cut for the next one.
    if (proxy.isCut) proxy.restore()
  }
  // The provider keeps retrying the refused probes like every other id.
  const retriedProbes = await Promise.all(probes.map((id, k) => deliverUntilOk(() => urls, id, { first: k })))
  return { deliveries: [...(await flow), ...retriedProbes], probes, probeAnswers }
}

/** Counts of each value. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}
