// Faults over the PostgreSQL inbox and its worker, driven by the CLI's provider simulator
// (webhook-inbox/simulator) over real HTTP: the simulator delivers with the provider's own signer
// and retry schedule (divided by 1000), duplicates (half concurrent), reordering and connections
// cut mid-body; the inbox drops 5 % of its calls (half before the database, half after, answer
// lost) for the receiver and the worker alike, and `process` throws 20 % of the time.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type pg from 'pg'
import { toNodeListener } from '../../src/adapters/node.js'
import type { Inbox, InboxLease } from '../../src/inbox/types.js'
import { createInboxWorker, createWebhookHandler } from '../../src/index.js'
import { linear, stripe } from '../../src/providers/index.js'
import { simulateProvider } from '../../src/simulator/index.js'
import { pgPoolTransaction, postgresInbox } from '../../src/stores/postgres.js'
import type { Provider } from '../../src/types.js'
import { prng } from './fuzz.js'

/** Providers the simulator delivers for, with the preset that verifies them. */
export const SIMULATED = {
  // Stripe retries every error for three days (9 retries).
  stripe: { secret: 'whsec_reliability_inbox', create: (secret: string) => stripe({ secret }) },
  // Linear treats a 4xx as final and retries only 3 times: the strict case for the answers.
  linear: { secret: 'lin_wh_reliability_inbox', create: (secret: string) => linear({ secret }) },
} as const satisfies Record<string, { secret: string; create: (secret: string) => Provider }>
export type SimulatedProvider = keyof typeof SIMULATED

/**
 * `exactly-once`: `transactional: true`, the effect is written through `query` in the transaction
 * that marks the row done. `at-least-once`: the effect is written outside, then the row is
 * completed; a lost `complete` runs it again under the next attempt number.
 */
export type ProcessingMode = 'exactly-once' | 'at-least-once'

/** Whether `provider` retries after answering `status`. */
export function retries(provider: Provider, status: number): boolean {
  const ranges = provider.retriedStatuses ?? [[400, 599]]
  return ranges.some(([low, high]) => status >= low && status <= high)
}

/**
 * Checks each answer the moment the simulator sees it: a 2xx only for an event the database
 * already holds, and no status the provider treats as final for one it does not.
 */
export function answerChecker(provider: Provider, durable: (id: string) => boolean) {
  const violations: string[] = []
  return {
    violations,
    check(attempt: { eventId: string; outcome: string; retry: number }) {
      const status = Number(attempt.outcome)
      if (!Number.isInteger(status)) return
      if (durable(attempt.eventId)) return
      if (status >= 200 && status < 300) violations.push(`${attempt.eventId}: ${status} before the event was stored`)
      else if (!retries(provider, status))
        violations.push(`${attempt.eventId}: final ${status} while not stored (the provider stops: lost)`)
    },
  }
}

/** Wraps `inner` so that `rate` of its calls fail: half before reaching the database, half after it answered. */
export function droppingInbox(
  inner: Inbox,
  rate: number,
  random: () => number,
  hooks: { onDrop(kind: string, key?: string): void; onStored?(id: string): void },
): Inbox {
  const roll = () => {
    const r = random()
    return r < rate / 2 ? 'before' : r < rate ? 'after' : undefined
  }
  async function wrap<R>(kind: string, key: string | undefined, call: () => Promise<R>, seen?: (r: R) => void) {
    const drop = roll()
    if (drop === 'before') {
      hooks.onDrop(kind, key)
      throw new Error(`${kind}: dropped before the database`)
    }
    const result = await call()
    seen?.(result)
    if (drop === 'after') {
      hooks.onDrop(kind, key)
      throw new Error(`${kind}: answer lost after the database`)
    }
    return result
  }
  const transact = inner.transact?.bind(inner)
  return {
    ...inner,
    // Either answer means the database holds a committed row with these keys.
    accept: (keys, delivery) =>
      wrap(
        'accept',
        keys[0],
        () => inner.accept(keys, delivery),
        () => hooks.onStored?.(delivery.event.id),
      ),
    claim: (options) => wrap('claim', undefined, () => inner.claim(options)),
    complete: (lease) => wrap('complete', lease.key, () => inner.complete(lease)),
    fail: (lease, failure) => wrap('fail', lease.key, () => inner.fail(lease, failure)),
    ...(transact
      ? {
          transact: (lease: InboxLease, work: Parameters<typeof transact>[1]) =>
            wrap('transact', lease.key, () => transact(lease, work)),
        }
      : {}),
    watch: inner.watch?.bind(inner),
  }
}

export interface InboxFaultOptions {
  pool: pg.Pool
  table: string
  provider: SimulatedProvider
  mode: ProcessingMode
  events: number
  seed: number
  /** Share of inbox calls dropped. */
  storeDrop: number
  /** Share of `process` calls that throw. */
  processFailure: number
}

export interface InboxFaultReport {
  provider: string
  mode: ProcessingMode
  events: number
  deliveries: number
  attempts: number
  duplicatesAnswered: number
  connectionsCut: number
  storeDrops: number
  processFailures: number
  /** Events the database holds. */
  stored: number
  /** Stored events whose row ended `done`. */
  done: number
  /** Events the provider was told were safe (2xx, or a final status) and that are not stored. */
  lost: number
  /** Events whose retries ran out on the simulator's schedule, every answer having asked for a retry. */
  providerGaveUp: number
  /** Stored events with no effect. */
  unprocessed: number
  /** Stored events with more than one effect. */
  processedTwice: number
  /** At-least-once: effects beyond the first, each under its own attempt number after a lost complete. */
  rerunsVisible: number
  violations: number
  violationSamples: string
}

/** Waits until no row is pending, processing or failed. */
export async function settled(pool: pg.Pool, table: string, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM ${table} GROUP BY state`,
    )
    const states = Object.fromEntries(rows.map((r) => [r.state, r.n]))
    if (!states.pending && !states.processing && !states.failed) return states
    if (Date.now() > deadline) throw new Error(`inbox did not settle: ${JSON.stringify(states)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function runInboxFaults(options: InboxFaultOptions): Promise<InboxFaultReport> {
  const { pool, table, mode } = options
  const random = prng(options.seed)
  const simulated = SIMULATED[options.provider]
  const provider = simulated.create(simulated.secret)
  const effects = `${table}_effects`
  await pool.query(`CREATE TABLE IF NOT EXISTS ${effects} (event_id text NOT NULL, attempt integer NOT NULL)`)
  const base = postgresInbox({
    query: (text, params) => pool.query(text, params),
    transaction: pgPoolTransaction(pool),
    table,
  })
  const stored = new Set<string>()
  const drops = new Map<string, number>()
  const lostCompletes = new Map<string, number>()
  const inbox = droppingInbox(base, options.storeDrop, random, {
    onDrop(kind, key) {
      drops.set(kind, (drops.get(kind) ?? 0) + 1)
      if (key && kind === 'complete') lostCompletes.set(key, (lostCompletes.get(key) ?? 0) + 1)
    },
    onStored: (id) => stored.add(id),
  })
  const handler = createWebhookHandler({ provider, inbox, storeTimeoutMs: 5000, logger: false, onWarning: () => {} })
  const server: Server = createServer(toNodeListener(handler))
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/${options.provider}`

  let processFailures = 0
  const worker = createInboxWorker({
    inbox,
    transactional: mode === 'exactly-once',
    concurrency: 4,
    leaseMs: 2000,
    pollIntervalMs: 50,
    // A failed attempt comes back within milliseconds; enough attempts that none goes dead (0.2^200).
    retry: { maxAttempts: 200, backoffMs: () => 5 + Math.floor(random() * 20) },
    onError: () => {},
    process: async (event, { query, attempt }) => {
      const fails = random() < options.processFailure
      if (mode === 'exactly-once') {
        // Written first, then the attempt fails: the rollback must take the effect with it.
        await query?.(`INSERT INTO ${effects} (event_id, attempt) VALUES ($1, $2)`, [event.id, attempt])
        if (fails) {
          processFailures++
          throw new Error('process failed after its effect')
        }
      } else {
        if (fails) {
          processFailures++
          throw new Error('process failed')
        }
        await pool.query(`INSERT INTO ${effects} (event_id, attempt) VALUES ($1, $2)`, [event.id, attempt])
      }
    },
  })
  worker.start()

  const checker = answerChecker(provider, (id) => stored.has(id))
  let report: Awaited<ReturnType<typeof simulateProvider>>
  try {
    report = await simulateProvider({
      provider: options.provider,
      secret: simulated.secret,
      url,
      events: options.events,
      concurrency: 16,
      duplicates: 0.3,
      reorder: true,
      failConnection: 0.02,
      retrySchedule: 'fast',
      seed: options.seed,
      stopWhenUnreachable: false,
      onAttempt: checker.check,
    })
    await settled(pool, table, 120_000)
  } finally {
    await worker.stop()
    server.closeAllConnections()
    server.close()
  }

  const ids = [...new Set(report.log.map((a) => a.eventId))]
  const { rows } = await pool.query<{ event_id: string; state: string; attempts: number; key: string }>(
    `SELECT event_id, state, attempts, key FROM ${table}`,
  )
  const rowOf = new Map(rows.map((r) => [r.event_id, r]))
  const { rows: done } = await pool.query<{ event_id: string; attempt: number }>(
    `SELECT event_id, attempt FROM ${effects} ORDER BY attempt`,
  )
  const effectsOf = new Map<string, number[]>()
  for (const effect of done) effectsOf.set(effect.event_id, [...(effectsOf.get(effect.event_id) ?? []), effect.attempt])
  const violations = [...checker.violations]
  const failing = new Set(report.failingIds)
  let lost = 0
  let unprocessed = 0
  let processedTwice = 0
  let rerunsVisible = 0
  for (const id of ids) {
    const row = rowOf.get(id)
    if (!row) {
      // Not stored: fine only if the provider never heard "safe" (it gave up on retriable answers).
      if (!failing.has(id)) {
        lost++
        violations.push(`${id}: acknowledged but not stored`)
      }
      continue
    }
    const runs = effectsOf.get(id) ?? []
    if (row.state !== 'done') violations.push(`${id}: ended ${row.state}`)
    if (runs.length === 0) unprocessed++
    if (new Set(runs).size !== runs.length) violations.push(`${id}: two effects under one attempt number ${runs}`)
    if (mode === 'exactly-once' && runs.length > 1) processedTwice++
    if (mode === 'at-least-once' && runs.length > 1) {
      // Each re-run after a success is explained by a complete (or a claim) whose answer was lost.
      rerunsVisible += runs.length - 1
      if (runs.length - 1 > (lostCompletes.get(row.key) ?? 0)) {
        processedTwice++
        violations.push(`${id}: ${runs.length} effects, only ${lostCompletes.get(row.key) ?? 0} lost completes`)
      }
    }
  }
  // Stored, yet the provider's retries ran out on 503s (each a lost accept answer): processed, not lost.
  const storedButUnacknowledged = report.failingIds.filter((id) => rowOf.has(id)).length
  return {
    provider: options.provider,
    mode,
    events: report.events,
    deliveries: report.deliveries,
    attempts: report.attempts,
    duplicatesAnswered: report.duplicatesAnswered,
    connectionsCut: report.statuses.dropped ?? 0,
    storeDrops: [...drops.values()].reduce((a, b) => a + b, 0),
    processFailures,
    stored: rows.length,
    done: rows.filter((r) => r.state === 'done').length,
    lost,
    providerGaveUp: report.stillFailing - storedButUnacknowledged,
    unprocessed,
    processedTwice,
    rerunsVisible,
    violations: violations.length,
    violationSamples: violations.slice(0, 5).join('; '),
  }
}
