import { configInvariant, WebhookStoreError } from '../errors.js'
import type { ClaimResult, DedupeStore } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most ids kept. Past it the oldest completed (or expired) entries are evicted; an in-flight
   * claim is never evicted, and a claim that finds the store full of them is refused with
   * `store_unavailable` (503), so the provider retries and nothing is lost.
   * @default 10000
   */
  maxEntries?: number
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

type Entry = { state: 'pending'; token: string; expiresAt: number } | { state: 'done'; expiresAt: number }

/**
 * The default store: atomic within one process, leases expire, completed ids are kept for
 * `retentionMs`, memory is bounded by `maxEntries`, and no timer keeps the process alive.
 * It does **not** dedupe across processes: use the Redis or PostgreSQL store for that.
 *
 * @example
 * import { createWebhookHandler, memoryStore } from 'webhook-inbox'
 * const store = memoryStore({ maxEntries: 50_000 })
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 10_000
  configInvariant(
    Number.isInteger(maxEntries) && maxEntries > 0,
    'memoryStore: `maxEntries` must be a positive integer.',
  )
  const now = options.now ?? Date.now
  // Map keeps insertion order; entries are re-inserted when they change, so the first
  // entries are always the oldest ones.
  const entries = new Map<string, Entry>()

  function makeRoom(time: number): boolean {
    if (entries.size < maxEntries) return true
    for (const [key, entry] of entries) {
      if (entry.state === 'done' || entry.expiresAt <= time) {
        entries.delete(key)
        if (entries.size < maxEntries) return true
      }
    }
    return entries.size < maxEntries
  }

  function holds(key: string, token: string, time: number): boolean {
    const entry = entries.get(key)
    return entry !== undefined && entry.state === 'pending' && entry.token === token && entry.expiresAt > time
  }

  return {
    get size() {
      return entries.size
    },
    async claim(key, { leaseMs }): Promise<ClaimResult> {
      const time = now()
      const entry = entries.get(key)
      if (entry && entry.expiresAt > time) return { state: entry.state === 'done' ? 'duplicate' : 'in-flight' }
      if (entry) entries.delete(key)
      if (!makeRoom(time)) {
        throw new WebhookStoreError(
          'store_unavailable',
          `memoryStore is full of in-flight claims (maxEntries ${maxEntries}); raise maxEntries or use a shared store.`,
        )
      }
      const token = globalThis.crypto.randomUUID()
      entries.set(key, { state: 'pending', token, expiresAt: time + leaseMs })
      return { state: 'claimed', token }
    },
    async complete(key, token, { retentionMs }) {
      const time = now()
      if (!holds(key, token, time)) return false
      entries.delete(key)
      entries.set(key, { state: 'done', expiresAt: time + retentionMs })
      return true
    },
    async release(key, token) {
      if (!holds(key, token, now())) return false
      entries.delete(key)
      return true
    },
    async close() {
      entries.clear()
    },
  }
}
