// The three proofs of issue 5, written once and run against Redis and PostgreSQL.
// Every count is read from the database itself, never from the workers' memory.
import { expect } from 'vitest'
import { type CutMode, startTcpProxy } from '../helpers/tcp-proxy.js'
import type { ProofDatabase } from './databases.js'
import type { WorkerConfig, WorkerMessage } from './fixtures/worker.js'
import {
  type Answer,
  closeWorkers,
  deliver,
  deliverThroughCuts,
  deliverUntilOk,
  pool,
  SECRET,
  startWorkers,
  tally,
  type Worker,
} from './harness.js'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What a proof measured, printed by the test so that the numbers reach the report. */
export type Measured = Record<string, number | string>

function log(title: string, measured: Measured): void {
  console.info(`[proofs] ${title}: ${JSON.stringify(measured)}`)
}

async function expectEnqueuedOnce(db: ProofDatabase, ns: Parameters<ProofDatabase['enqueued']>[0], ids: string[]) {
  const enqueued = await db.enqueued(ns)
  const counts = tally(enqueued.map((entry) => entry.id))
  const wrong = ids.filter((id) => counts.get(id) !== 1).map((id) => `${id}×${counts.get(id) ?? 0}`)
  expect(wrong, 'ids not enqueued exactly once').toEqual([])
  expect(enqueued.length, 'enqueued records (unknown ids included)').toBe(ids.length)
  return enqueued
}

/**
 * Proof 1: several processes, one store, every id delivered `copies` times at once across the
 * processes; every id is enqueued exactly once.
 */
export async function proveExactlyOnce(
  db: ProofDatabase,
  { processes = 4, events = 1000, copies = 5, concurrency = 50 } = {},
): Promise<Measured> {
  const ns = await db.prepare()
  let workers: Worker[] = []
  try {
    workers = await startWorkers(
      range(processes).map(
        (i): WorkerConfig => ({
          name: `w${i}`,
          backend: db.backends[i % 2]!,
          storeUrl: db.url,
          recordUrl: db.url,
          ...ns,
          secret: SECRET,
          // Generous: this proof is about concurrency, and the machine's services are shared.
          leaseMs: 15_000,
          enqueueTimeoutMs: 5_000,
          storeTimeoutMs: 5_000,
        }),
      ),
    )
    const urls = workers.map((worker) => worker.url)
    const ids = range(events).map((i) => `evt_${i}`)
    const started = performance.now()
    const deliveries = await pool(ids, concurrency, (id, i) =>
      // Copy k of id i goes first to process (i + k) mod n: the copies of one id race in different processes.
      Promise.all(range(copies).map((k) => deliverUntilOk(() => urls, id, { first: i + k }))),
    )
    const elapsedMs = Math.round(performance.now() - started)

    const enqueued = await expectEnqueuedOnce(db, ns, ids)
    const answers: Answer[] = deliveries.flat().flatMap((delivery) => delivery.answers)
    const accepted = new Map<string, string[]>()
    deliveries.forEach((copiesOfId, i) => {
      accepted.set(
        ids[i]!,
        copiesOfId
          .flatMap((d) => d.answers)
          .flatMap((a) => (a.status === 200 && !a.duplicate ? [a.worker ?? '?'] : [])),
      )
    })
    // One accepted answer per id, from the process that enqueued it; every other copy was told duplicate.
    const byRecord = new Map(enqueued.map((entry) => [entry.id, entry.worker]))
    const mismatched = ids.filter((id) => {
      const winners = accepted.get(id) ?? []
      return winners.length !== 1 || winners[0] !== byRecord.get(id)
    })
    expect(mismatched, 'ids without exactly one accepted answer from the enqueuing process').toEqual([])
    const statuses = tally(answers.map((a) => String(a.status)))
    const refusals = tally(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.error}`))
    // A copy that met its id in flight was told 409 and retried; nothing else may refuse a healthy run.
    expect(
      [...refusals.keys()].filter((key) => key !== '409 in_flight'),
      'answers other than 200 and 409',
    ).toEqual([])
    const duplicates = answers.filter((a) => a.status === 200 && a.duplicate).length
    expect(duplicates + events, 'final answers').toBe(events * copies)
    expect(new Set(enqueued.map((entry) => entry.worker)).size, 'processes that won claims').toBe(processes)
    expect((await db.done(ns, ids)).size, 'ids the store holds as done').toBe(events)

    const measured = {
      processes,
      events,
      deliveries: events * copies,
      attempts: answers.length,
      inFlight409: statuses.get('409') ?? 0,
      duplicate200: duplicates,
      elapsedMs,
    }
    log(`${db.name} exactly once across processes`, measured)
    return measured
  } finally {
    await closeWorkers(workers)
    await db.cleanup(ns)
  }
}

/**
 * Proof 2: a process is SIGKILLed inside `enqueue`. Until its lease runs out the id is in flight
 * (409); after it, the provider's retry reaches another process and is enqueued exactly once.
 */
export async function proveCrashRecovery(db: ProofDatabase, { events = 20, leaseMs = 2_000 } = {}): Promise<Measured> {
  const ns = await db.prepare()
  let workers: Worker[] = []
  try {
    const base = {
      storeUrl: db.url,
      recordUrl: db.url,
      ...ns,
      secret: SECRET,
      leaseMs,
      enqueueTimeoutMs: leaseMs - 500,
      storeTimeoutMs: 400,
    }
    workers = await startWorkers([
      { ...base, name: 'victim', backend: db.backends[0], blockEnqueue: true },
      { ...base, name: 'survivor', backend: db.backends[1] },
    ])
    const victim = workers[0]!
    const survivors = workers.slice(1)
    const ids = range(events).map((i) => `evt_crash_${i}`)

    // Every claim below starts after this instant, so its lease runs at least until sentAt + leaseMs.
    const sentAt = performance.now()
    const doomed = ids.map((id) => deliver(victim.url, id))
    await Promise.all(
      ids.map((id) =>
        victim.waitFor(
          (m): m is Extract<WorkerMessage, { type: 'enqueue-started' }> => m.type === 'enqueue-started' && m.id === id,
        ),
      ),
    )
    await victim.kill()
    const killedAt = performance.now()
    expect((await Promise.all(doomed)).map((a) => a.status)).toEqual(ids.map(() => 0))
    expect((await db.enqueued(ns)).length, 'nothing enqueued by the killed process').toBe(0)

    // The provider retries at once. The dead holder's claim still stands: in flight, not lost, not released.
    const early = await Promise.all(
      ids.map(async (id, i) => {
        const answer = await deliver(survivors[i % survivors.length]!.url, id)
        return { id, answer, beforeExpiry: performance.now() < sentAt + leaseMs }
      }),
    )
    const whileLeased = early.filter((e) => e.beforeExpiry)
    expect(whileLeased.length, 'retries answered while the dead lease surely held').toBeGreaterThan(0)
    expect(
      whileLeased.filter((e) => e.answer.status !== 409).map((e) => `${e.id}:${e.answer.status}`),
      'retries answered something else than 409 while the dead lease held',
    ).toEqual([])

    const urls = survivors.map((worker) => worker.url)
    const retried = await Promise.all(ids.map((id, i) => deliverUntilOk(() => urls, id, { first: i })))
    const recoveredMs = Math.round(performance.now() - killedAt)
    const enqueued = await expectEnqueuedOnce(db, ns, ids)
    expect(enqueued.filter((entry) => entry.worker === 'victim')).toEqual([])
    for (const delivery of retried) {
      expect(delivery.answers.map((a) => a.status).filter((s) => s !== 409 && s !== 200)).toEqual([])
      expect(delivery.answers.at(-1)?.duplicate).toBe(false)
    }
    expect((await db.done(ns, ids)).size).toBe(events)

    const measured = { events, leaseMs, early409: whileLeased.length, recoveredMs }
    log(`${db.name} SIGKILL inside enqueue`, measured)
    return measured
  } finally {
    await closeWorkers(workers)
    await db.cleanup(ns)
  }
}

/**
 * Proof 3: the store link is cut while deliveries flow (once refused, once a silent partition).
 * Deliveries answer 503, nothing is marked done that was not enqueued, and after the link is
 * back every retried id is processed exactly once.
 */
export async function proveOutage(
  db: ProofDatabase,
  { events = 300, concurrency = 12, cutMs = 1_200, modes = ['reset', 'blackhole'] as CutMode[] } = {},
): Promise<Measured> {
  if (!db.target || !db.viaProxy) throw new Error(`${db.name} has no network link to cut`)
  const viaProxy = db.viaProxy
  const ns = await db.prepare()
  const proxy = await startTcpProxy({ target: db.target })
  let workers: Worker[] = []
  try {
    const storeTimeoutMs = 400
    workers = await startWorkers(
      db.backends.map(
        (backend, i): WorkerConfig => ({
          name: `w${i}`,
          backend,
          storeUrl: viaProxy(proxy.port),
          recordUrl: db.url,
          ...ns,
          secret: SECRET,
          leaseMs: 2_000,
          enqueueTimeoutMs: 1_000,
          storeTimeoutMs,
        }),
      ),
    )
    const urls = workers.map((worker) => worker.url)
    const ids = range(events).map((i) => `evt_outage_${i}`)
    const started = performance.now()
    const snapshots: { done: number; enqueued: number }[] = []
    const { deliveries, probes, probeAnswers } = await deliverThroughCuts(urls, ids, proxy, {
      concurrency,
      cutMs,
      modes,
      async duringCut(mode, cutAt, probesSoFar) {
        // Commands in flight when the link went down have landed or died by now.
        await sleep(Math.max(0, 300 - (performance.now() - cutAt)))
        const done = await db.done(ns, [...ids, ...probesSoFar])
        const enqueued = new Set((await db.enqueued(ns)).map((entry) => entry.id))
        expect(
          [...done].filter((id) => !enqueued.has(id)),
          `ids marked done but never enqueued (${mode} cut)`,
        ).toEqual([])
        snapshots.push({ done: done.size, enqueued: enqueued.size })
      },
    })
    expect(
      probeAnswers.map((a) => a.status),
      'deliveries while the store was unreachable',
    ).toEqual(probes.map(() => 503))

    const elapsedMs = Math.round(performance.now() - started)
    const all = [...ids, ...probes]
    const enqueued = await expectEnqueuedOnce(db, ns, all)
    const enqueuedIds = new Set(enqueued.map((entry) => entry.id))
    const doneAtEnd = await db.done(ns, all)
    expect([...doneAtEnd].filter((id) => !enqueuedIds.has(id))).toEqual([])
    const answers = deliveries.flatMap((d) => d.answers)
    const statuses = tally(answers.map((a) => String(a.status)))
    // Without a duplicate delivery in this flow, each id is accepted once and never reported duplicate.
    expect(answers.filter((a) => a.status === 200 && a.duplicate)).toEqual([])
    expect(
      [...statuses.keys()].filter((s) => !['200', '409', '503'].includes(s)),
      'unexpected statuses',
    ).toEqual([])
    const completeFailures = workers
      .flatMap((worker) => worker.messages)
      .filter((m) => m.type === 'handler-error' && m.phase === 'complete').length

    const measured = {
      events: all.length,
      cuts: modes.join('+'),
      attempts: answers.length,
      answered503: statuses.get('503') ?? 0,
      answered409: statuses.get('409') ?? 0,
      completeFailuresReported: completeFailures,
      doneDuringCuts: snapshots.map((s) => `${s.done}/${s.enqueued}`).join(' '),
      elapsedMs,
    }
    log(`${db.name} store unreachable mid-run`, measured)
    return measured
  } finally {
    await closeWorkers(workers)
    await proxy.close()
    await db.cleanup(ns)
  }
}
