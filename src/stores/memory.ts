import { configInvariant, WebhookStoreError } from '../errors.js'
import { SYNCHRONOUS_STORE, type SynchronousStore } from './synchronous-store.js'
import type { ClaimResult, DedupeStore } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept (a delivery takes one or two). Past it, expired entries go first; then, unless
   * `whenFull` is `'refuse'`, the oldest completed ones, even inside their retention (counted in
   * `evictedBeforeRetention` and warned about once). An in-flight claim is never evicted: a claim
   * that finds the store full of them is refused with `store_unavailable` (503), so the provider
   * retries and nothing is lost.
   * @default 10000
   */
  maxEntries?: number
  /**
   * What a full store does with completed keys still inside their retention: `'evict-oldest'`
   * forgets the oldest (a redelivery of that id would be processed again), `'refuse'` keeps them
   * and answers the new delivery `store_unavailable` (503, the provider retries later).
   * @default 'evict-oldest'
   */
  whenFull?: 'evict-oldest' | 'refuse'
  /**
   * Told once per store, the first time a completed key is evicted before its retention ended.
   * The handler passes its own `onWarning` to the default store.
   * @default console.warn
   */
  onWarning?: (message: string) => void
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

/** The store {@link memoryStore} returns: a {@link DedupeStore} with counters. */
export interface MemoryStore extends DedupeStore {
  /** Keys held now (in flight, completed and not yet evicted). */
  readonly size: number
  /** Completed keys forgotten before their retention ended, to make room; each could be processed again. */
  readonly evictedBeforeRetention: number
}

type Entry = { state: 'pending'; token: string; expiresAt: number } | { state: 'done'; expiresAt: number }

/**
 * The default store: atomic within one process, leases expire, completed ids are kept for
 * `retentionMs`, memory is bounded by `maxEntries`, and no timer keeps the process alive.
 * It does **not** dedupe across processes: use the Redis or PostgreSQL store for that.
 *
 * When it fills up with completed ids that are still retained, it forgets the oldest ones (a
 * redelivery of one of them would be processed again) and says so: once through `onWarning`, and
 * in `evictedBeforeRetention`. Pass `whenFull: 'refuse'` to answer 503 instead, or raise
 * `maxEntries` to hold your provider's retry window.
 *
 * @example
 * import { createWebhookHandler, memoryStore } from 'webhook-inbox'
 * const store = memoryStore({ maxEntries: 50_000, whenFull: 'refuse' })
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? 10_000
  configInvariant(
    Number.isInteger(maxEntries) && maxEntries > 0,
    'memoryStore: `maxEntries` must be a positive integer.',
  )
  const whenFull = options.whenFull ?? 'evict-oldest'
  configInvariant(
    whenFull === 'evict-oldest' || whenFull === 'refuse',
    "memoryStore: `whenFull` must be 'evict-oldest' or 'refuse'.",
  )
  const now = options.now ?? Date.now
  const warn = options.onWarning ?? ((message: string) => console.warn(message))
  // Map keeps insertion order; entries are re-inserted when they change, so the first
  // entries are always the oldest ones.
  const entries = new Map<string, Entry>()
  let evicted = 0
  let warned = false
  let claims = 0

  function evictedEarly(): void {
    evicted++
    if (warned) return
    warned = true
    try {
      warn(
        `[webhook-inbox] memoryStore is full (maxEntries ${maxEntries}) and forgot a completed id before its retention ended; a redelivery of it would be processed again. Raise maxEntries, pass whenFull: 'refuse' (answers 503 instead), or use a shared store. store.evictedBeforeRetention counts them.`,
      )
    } catch {
      // A throwing warning hook must not fail the claim.
    }
  }

  // The earliest expiry of any entry, kept on every write: a full store scans for expired
  // entries only once one is due, so a claim into a store full of retained ids costs O(1)
  // instead of a scan of every entry (which made a full store quadratic in its size).
  let nextExpiry = Number.POSITIVE_INFINITY

  function put(key: string, entry: Entry): void {
    entries.set(key, entry)
    if (entry.expiresAt < nextExpiry) nextExpiry = entry.expiresAt
  }

  function sweepExpired(time: number): void {
    let earliest = Number.POSITIVE_INFINITY
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= time) entries.delete(key)
      else if (entry.expiresAt < earliest) earliest = entry.expiresAt
    }
    nextExpiry = earliest
  }

  // Where the search for the oldest completed entry stopped. An entry becomes completed only by
  // being re-inserted at the end, so none lies behind the cursor, and a full store evicts in
  // O(1) amortised: restarting from the first entry each time walked over every slot a
  // deletion had left in the Map's table (about 50,000 instructions a claim at 10,000 entries).
  let cursor: Iterator<[string, Entry]> | undefined

  function evictOldestDone(): boolean {
    for (let pass = 0; pass < 2; pass++) {
      cursor ??= entries.entries()
      for (let step = cursor.next(); !step.done; step = cursor.next()) {
        const [key, entry] = step.value
        if (entry.state === 'done') {
          entries.delete(key)
          evictedEarly()
          return true
        }
      }
      // A finished iterator stays finished: start again from the first entry, once.
      cursor = undefined
    }
    return false
  }

  function makeRoom(time: number, needed: number): boolean {
    if (entries.size + needed <= maxEntries) return true
    if (nextExpiry <= time) sweepExpired(time)
    if (entries.size + needed <= maxEntries) return true
    if (whenFull === 'refuse') return false
    while (entries.size + needed > maxEntries) {
      if (!evictOldestDone()) return false
    }
    return true
  }

  function holdsAll(keys: readonly string[], token: string, time: number): boolean {
    return keys.every((key) => {
      const entry = entries.get(key)
      return entry !== undefined && entry.state === 'pending' && entry.token === token && entry.expiresAt > time
    })
  }

  function claim(keys: readonly string[], { leaseMs }: { leaseMs: number }): ClaimResult {
    const time = now()
    let inFlight = false
    for (const key of keys) {
      const entry = entries.get(key)
      if (!entry || entry.expiresAt <= time) continue
      if (entry.state === 'done') return { state: 'duplicate' }
      inFlight = true
    }
    if (inFlight) return { state: 'in-flight' }
    for (const key of keys) entries.delete(key)
    if (!makeRoom(time, keys.length)) {
      throw new WebhookStoreError(
        'store_unavailable',
        `memoryStore is full (maxEntries ${maxEntries}) of ${whenFull === 'refuse' ? 'in-flight claims and retained ids' : 'in-flight claims'}; raise maxEntries or use a shared store.`,
      )
    }
    // Unique within this store, which is all a token has to be here: only code in this process
    // can present one, and a counter costs a fraction of randomUUID() (~0.4 µs a claim).
    const token = `claim-${++claims}`
    for (const key of keys) put(key, { state: 'pending', token, expiresAt: time + leaseMs })
    return { state: 'claimed', token }
  }

  function complete(keys: readonly string[], token: string, { retentionMs }: { retentionMs: number }): boolean {
    const time = now()
    if (!holdsAll(keys, token, time)) return false
    for (const key of keys) {
      entries.delete(key)
      put(key, { state: 'done', expiresAt: time + retentionMs })
    }
    return true
  }

  const claimAsync: DedupeStore['claim'] = async (keys, options) => claim(keys, options)
  const completeAsync: DedupeStore['complete'] = async (keys, token, options) => complete(keys, token, options)
  const synchronous: SynchronousStore = { claimAsync, completeAsync, claim, complete }

  const store: MemoryStore = {
    multiKey: true,
    get size() {
      return entries.size
    },
    get evictedBeforeRetention() {
      return evicted
    },
    claim: claimAsync,
    complete: completeAsync,
    async release(keys, token) {
      if (!holdsAll(keys, token, now())) return false
      for (const key of keys) entries.delete(key)
      return true
    },
    async close() {
      entries.clear()
      cursor = undefined
    },
  }
  // Not enumerable: a copy of the store (`{ ...store }`) is called through its promise methods.
  Object.defineProperty(store, SYNCHRONOUS_STORE, { value: synchronous })
  return store
}
