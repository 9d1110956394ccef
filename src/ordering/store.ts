import { configInvariant, WebhookStoreError } from '../errors.js'

/** What {@link OrderingStore.advance} answers. */
export interface AdvanceResult {
  /** A higher version of the resource was recorded before: the event is older than what was seen. */
  stale: boolean
  /** The highest version now recorded for the resource. */
  current: number
}

/**
 * Keeps the highest version seen per resource. `advance` is one atomic compare-and-set: it
 * records `version` unless a higher one is recorded, and says which happened. An equal version
 * is not stale (a retry of the same event, or two events in the same second, both go through).
 *
 * A recorded version is kept `retentionMs` after the last event that recorded it (a stale event
 * does not extend it). Within that time no older event of the resource passes; after it, the
 * resource is forgotten and its next event, however old, is taken as new.
 */
export interface OrderingStore {
  advance(resource: string, version: number): Promise<AdvanceResult>
  /**
   * Deletes the records older than `olderThanMs` (at least the store's `retentionMs`, so that
   * pruning never lets an older event win within the retention), in bounded batches; resolves
   * with how many it deleted. Absent where the database expires records itself (Redis).
   */
  prune?(options?: OrderingPruneOptions): Promise<number>
  /** Frees what the store holds of its own; never the client you passed in. */
  close?(): Promise<void>
}

/** Options of {@link OrderingStore.prune}. */
export interface OrderingPruneOptions {
  /**
   * Records last advanced longer ago than this are deleted. Not below the store's `retentionMs`:
   * lower `retentionMs` instead.
   * @default the store's retentionMs
   */
  olderThanMs?: number
  /** Records deleted per statement, so one prune never holds many locks at once. @default 1000 */
  batchSize?: number
}

/** Retention options every ordering store takes. */
export interface OrderingRetentionOptions {
  /**
   * How long a resource's version is kept after the last event that recorded it. Within it an
   * older event of the resource is stale; after it the resource is forgotten, and its next
   * event, however old, is taken as new. Keep it above the longest time your provider may
   * deliver an event late (its retry window, plus how long your queue may hold an event).
   * @default 2592000000 (30 days)
   */
  retentionMs?: number
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

/** Options of {@link memoryOrderingStore}. */
export interface MemoryOrderingStoreOptions extends OrderingRetentionOptions {
  /**
   * At most this many resources are held. A full store first forgets the expired ones; it never
   * forgets one within its retention (an older event of it could then pass as new): a new
   * resource is then refused with `store_unavailable`, so the event is retried later. Raise it,
   * lower `retentionMs`, or use a shared store.
   * @default 100000
   */
  maxEntries?: number
}

/** The memory ordering store: an {@link OrderingStore} that says how many resources it holds. */
export interface MemoryOrderingStore extends OrderingStore {
  /** Resources held now, expired ones not yet swept included. */
  readonly size: number
  prune(options?: OrderingPruneOptions): Promise<number>
}

/** 30 days: the default `retentionMs` of every ordering store. */
export const DEFAULT_ORDERING_RETENTION_MS = 30 * 24 * 3_600_000

/** Checks the retention options; returns the retention and the clock. */
export function retentionOptions(
  options: OrderingRetentionOptions | undefined,
  store: string,
): { retentionMs: number; now: () => number } {
  const retentionMs = options?.retentionMs ?? DEFAULT_ORDERING_RETENTION_MS
  configInvariant(
    Number.isSafeInteger(retentionMs) && retentionMs > 0,
    `${store}: \`retentionMs\` must be a positive integer (milliseconds).`,
  )
  const now = options?.now ?? Date.now
  configInvariant(typeof now === 'function', `${store}: \`now\` must be a function returning epoch milliseconds.`)
  return { retentionMs, now }
}

/** Checks prune's options against the store's retention. */
export function pruneOptions(
  options: OrderingPruneOptions | undefined,
  retentionMs: number,
  store: string,
): { olderThanMs: number; batchSize: number } {
  const olderThanMs = options?.olderThanMs ?? retentionMs
  configInvariant(
    Number.isFinite(olderThanMs) && olderThanMs >= retentionMs,
    `${store}: prune's \`olderThanMs\` must be at least the store's retentionMs (${retentionMs}); a younger record still guards against older events. Lower retentionMs instead.`,
  )
  const batchSize = options?.batchSize ?? 1000
  configInvariant(
    Number.isSafeInteger(batchSize) && batchSize > 0,
    `${store}: prune's \`batchSize\` must be a positive integer.`,
  )
  return { olderThanMs, batchSize }
}

interface MemoryRecord {
  version: number
  expiresAt: number
}

/**
 * An ordering store in this process's memory, for tests and single-process apps. It keeps one
 * number per resource for `retentionMs` after the resource's last recorded event, and at most
 * `maxEntries` resources; it never forgets a resource within its retention to make room.
 *
 * @example
 * import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
 * const guard = createOrderingGuard({ store: memoryOrderingStore({ retentionMs: 7 * 24 * 3_600_000 }) })
 */
export function memoryOrderingStore(options: MemoryOrderingStoreOptions = {}): MemoryOrderingStore {
  const { retentionMs, now } = retentionOptions(options, 'memoryOrderingStore')
  const maxEntries = options.maxEntries ?? 100_000
  configInvariant(
    Number.isSafeInteger(maxEntries) && maxEntries > 0,
    'memoryOrderingStore: `maxEntries` must be a positive integer.',
  )
  // Insertion order is the order of the last recording, so with one retention the front holds
  // the earliest expiry and a sweep stops at the first live record.
  const records = new Map<string, MemoryRecord>()

  function sweep(before: number, limit = Number.POSITIVE_INFINITY): number {
    let deleted = 0
    for (const [resource, record] of records) {
      if (record.expiresAt > before || deleted >= limit) break
      records.delete(resource)
      deleted++
    }
    return deleted
  }

  return {
    get size() {
      return records.size
    },
    async advance(resource, version) {
      const time = now()
      sweep(time)
      const recorded = records.get(resource)
      const live = recorded !== undefined && recorded.expiresAt > time
      if (live && recorded.version > version) return { stale: true, current: recorded.version }
      records.delete(resource)
      if (records.size >= maxEntries) {
        throw new WebhookStoreError(
          'store_unavailable',
          `memoryOrderingStore is full (maxEntries ${maxEntries}) of versions still within their retention; raise maxEntries, lower retentionMs or use a shared store.`,
        )
      }
      records.set(resource, { version, expiresAt: time + retentionMs })
      return { stale: false, current: version }
    },
    async prune(pruning) {
      const { olderThanMs } = pruneOptions(pruning, retentionMs, 'memoryOrderingStore')
      return sweep(now() - olderThanMs + retentionMs)
    },
    async close() {
      records.clear()
    },
  }
}

/** Reads a store's reply (`current`) into an {@link AdvanceResult} for `version`. */
export function advanceResult(current: unknown, version: number, store: string): AdvanceResult {
  const value = typeof current === 'number' ? current : Number(current)
  if (!Number.isFinite(value)) {
    throw new WebhookStoreError('store_unavailable', `${store}: advance got an unexpected reply from the database.`)
  }
  return { stale: value > version, current: value }
}

/**
 * Runs `start` once and shares its promise; a rejected attempt is forgotten, so the next call
 * tries again (a script load or a table creation while the database was down).
 */
export function onceUntilFailure<V>(start: () => Promise<V>): () => Promise<V> {
  let pending: Promise<V> | undefined
  return () => {
    if (!pending) {
      const attempt = start()
      attempt.catch(() => {
        if (pending === attempt) pending = undefined
      })
      pending = attempt
    }
    return pending
  }
}
