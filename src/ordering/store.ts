import { WebhookStoreError } from '../errors.js'

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
 */
export interface OrderingStore {
  advance(resource: string, version: number): Promise<AdvanceResult>
  /** Frees what the store holds of its own; never the client you passed in. */
  close?(): Promise<void>
}

/**
 * An ordering store in this process's memory, for tests and single-process apps. It keeps one
 * number per resource, without expiry.
 *
 * @example
 * import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
 * const guard = createOrderingGuard({ store: memoryOrderingStore() })
 */
export function memoryOrderingStore(): OrderingStore {
  const versions = new Map<string, number>()
  return {
    async advance(resource, version) {
      const recorded = versions.get(resource)
      if (recorded !== undefined && recorded > version) return { stale: true, current: recorded }
      versions.set(resource, version)
      return { stale: false, current: version }
    },
    async close() {
      versions.clear()
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
