import { configInvariant, WebhookStoreError } from '../errors.js'
import type { WebhookEvent } from '../types.js'
import { defaultBackoffMs, inboxError } from './inbox-internal.js'
import type { InboxLease, InboxWorker, InboxWorkerOptions, WorkerErrorInfo } from './types.js'

/** The lease ran out (or another worker took the row) before the transaction could lock it. */
class LeaseLost extends Error {}

/**
 * Processes what an inbox accepted, after the 200: claims due rows with a lease, runs `process`,
 * and marks each row `done`, or `failed` with a retry after `retry.backoffMs(attempt)`, or `dead`
 * after `retry.maxAttempts`. Many workers, in many processes, can share one inbox: PostgreSQL
 * claims with `FOR UPDATE SKIP LOCKED`, SQLite with an `IMMEDIATE` transaction; an idle worker is
 * woken by `LISTEN/NOTIFY` (PostgreSQL with `listen`) or by deliveries accepted in the same
 * process, and otherwise polls every `pollIntervalMs`.
 *
 * Without `transactional`, processing is at least once: a worker that dies after its effects but
 * before marking the row runs it again after `leaseMs`, so make `process` idempotent on
 * `event.id`. With `transactional: true`, `process` gets a `query` in the transaction that marks
 * the row done: effects written through it happen exactly once.
 *
 * Ordering: due rows are claimed oldest first (by when they are due, then by acceptance), so one
 * worker with `concurrency: 1` starts events in the order they were accepted. A failed event
 * does not block the others: it is retried later, after events accepted after it. With
 * `concurrency` above 1 or several workers, events run in parallel and may finish in any order.
 * The worker never reorders more than that, and providers themselves do not promise an order:
 * compare a version or timestamp from the payload when order matters.
 *
 * @example
 * import { createInboxWorker } from 'webhook-inbox'
 * const worker = createInboxWorker({
 *   inbox,
 *   process: async (event, { query }) => {
 *     await query?.('INSERT INTO paid_invoices (event_id) VALUES ($1)', [event.id])
 *   },
 *   transactional: true,
 *   concurrency: 4,
 * })
 * worker.start()
 * process.on('SIGTERM', () => worker.stop())
 */
export function createInboxWorker<T = unknown>(options: InboxWorkerOptions<T>): InboxWorker {
  const { inbox } = options
  configInvariant(
    inbox && typeof inbox.claim === 'function' && typeof inbox.complete === 'function',
    'createInboxWorker: `inbox` is required, e.g. `inbox: postgresInbox({ query })` from webhook-inbox/postgres.',
  )
  configInvariant(
    typeof options.process === 'function',
    'createInboxWorker: `process` is required: a function that handles one event and throws to have it retried.',
  )
  const concurrency = options.concurrency ?? 1
  const leaseMs = options.leaseMs ?? 60_000
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const maxAttempts = options.retry?.maxAttempts ?? 8
  const backoffMs = options.retry?.backoffMs ?? defaultBackoffMs
  const transactional = options.transactional ?? false
  for (const [name, value] of [
    ['concurrency', concurrency],
    ['leaseMs', leaseMs],
    ['pollIntervalMs', pollIntervalMs],
    ['retry.maxAttempts', maxAttempts],
  ] as const) {
    configInvariant(
      Number.isSafeInteger(value) && value > 0,
      `createInboxWorker: \`${name}\` must be a positive integer.`,
    )
  }
  configInvariant(
    typeof backoffMs === 'function',
    'createInboxWorker: `retry.backoffMs` must be a function of the attempt number.',
  )
  configInvariant(
    !transactional || typeof inbox.transact === 'function',
    'createInboxWorker: `transactional: true` needs an inbox that can run transactions: pass `transaction` to postgresInbox (e.g. `transaction: pgPoolTransaction(pool)` for pg, `(fn) => sql.begin(...)` for postgres.js, `(fn) => db.transaction(...)` for PGlite), or use sqliteInbox.',
  )
  const process = options.process as (
    event: WebhookEvent<T>,
    context: Parameters<InboxWorkerOptions<T>['process']>[1],
  ) => unknown

  let running = false
  let loop: Promise<void> | undefined
  let unwatch: (() => void) | undefined
  let wake: (() => void) | undefined
  let woken = false
  const active = new Set<Promise<void>>()
  const aborter = new AbortController()

  function report(info: WorkerErrorInfo): void {
    if (!options.onError) return
    try {
      Promise.resolve(options.onError(info)).catch(() => {})
    } catch {
      // onError is the last resort.
    }
  }

  function poke(): void {
    woken = true
    wake?.()
  }

  /** Waits until poked, a slot frees, or `ms` passes. */
  function idle(ms: number): Promise<void> {
    if (woken) {
      woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        woken = false
        resolve()
      }
      wake = done
    })
  }

  async function attempt(lease: InboxLease): Promise<void> {
    const event = lease.event as WebhookEvent<T>
    let failure: unknown
    let failed = false
    try {
      if (transactional && inbox.transact) {
        const held = await inbox.transact(lease, async (query) => {
          await process(event, { query, attempt: lease.attempts, signal: aborter.signal })
        })
        if (!held) throw new LeaseLost()
      } else {
        await process(event, { query: undefined, attempt: lease.attempts, signal: aborter.signal })
      }
    } catch (error) {
      if (error instanceof LeaseLost) return
      failed = true
      failure = error
    }
    if (!failed) {
      if (transactional) return
      try {
        if (!(await inbox.complete(lease))) {
          report({
            phase: 'complete',
            key: lease.key,
            error: new WebhookStoreError(
              'store_unavailable',
              `the lease on ${lease.key} ran out before process finished (raise leaseMs); another worker may run it again.`,
            ),
          })
        }
      } catch (error) {
        // The row stays leased; after leaseMs it is taken again (at least once).
        report({ phase: 'complete', key: lease.key, error })
      }
      return
    }
    const error = inboxError(failure)
    const dead = lease.attempts >= maxAttempts
    let retryInMs: number | undefined
    if (!dead) {
      try {
        retryInMs = Math.max(0, Number(backoffMs(lease.attempts)) || 0)
      } catch (hookError) {
        report({ phase: 'hook', key: lease.key, error: hookError })
        retryInMs = defaultBackoffMs(lease.attempts)
      }
    }
    let marked = false
    try {
      marked = await inbox.fail(lease, { error, retryInMs })
    } catch (markError) {
      report({ phase: 'fail', key: lease.key, error: markError })
    }
    if (!marked) return
    if (retryInMs !== undefined) {
      const timer = setTimeout(poke, retryInMs)
      timer.unref?.()
    } else if (options.onDead) {
      try {
        await options.onDead({ event, key: lease.key, attempts: lease.attempts, error })
      } catch (hookError) {
        report({ phase: 'hook', key: lease.key, error: hookError })
      }
    }
  }

  function track(lease: InboxLease): void {
    const run = attempt(lease).finally(() => {
      active.delete(run)
      poke()
    })
    active.add(run)
  }

  /** Claims what fits in the free slots; resolves with how many it got, or -1 on a failed claim. */
  async function claimSome(): Promise<number> {
    const free = concurrency - active.size
    if (free <= 0) return 0
    let leases: InboxLease[]
    try {
      leases = await inbox.claim({ limit: free, leaseMs })
    } catch (error) {
      report({ phase: 'claim', error })
      return -1
    }
    for (const lease of leases) track(lease)
    return leases.length
  }

  async function run(): Promise<void> {
    while (running) {
      const got = await claimSome()
      if (!running) break
      if (got > 0 && active.size < concurrency) continue
      // Nothing due (or every slot busy, or the database is unreachable): wait for a wake-up,
      // a finished event, or the poll interval.
      await idle(pollIntervalMs)
    }
  }

  function onAbort(): void {
    aborter.abort(options.signal?.reason)
    void worker.stop()
  }

  const worker: InboxWorker = {
    get running() {
      return running
    },
    start() {
      if (running) return
      if (options.signal?.aborted) return
      running = true
      options.signal?.addEventListener('abort', onAbort, { once: true })
      unwatch = inbox.watch?.(poke)
      loop = run()
    },
    async stop() {
      if (!running) {
        await Promise.allSettled([...active])
        return
      }
      running = false
      options.signal?.removeEventListener('abort', onAbort)
      unwatch?.()
      unwatch = undefined
      poke()
      await loop
      while (active.size > 0) await Promise.allSettled([...active])
    },
    async drain() {
      let attempts = 0
      for (;;) {
        const free = concurrency - active.size
        let leases: InboxLease[] = []
        if (free > 0) {
          leases = await inbox.claim({ limit: free, leaseMs })
          for (const lease of leases) track(lease)
          attempts += leases.length
        }
        if (leases.length === 0) {
          if (active.size === 0) return attempts
          await Promise.race(active)
        } else if (active.size >= concurrency) {
          await Promise.race(active)
        }
      }
    },
  }
  return worker
}
