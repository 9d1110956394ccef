import type { ClaimResult, DedupeStore } from './types.js'

/**
 * The synchronous form of a store's `claim` and `complete`, for a store that answers without
 * I/O (`memoryStore`). Internal: the handler calls it instead of awaiting the promise methods,
 * which saves the timeout race, the promise and the turns of the microtask queue of each step
 * (work that never waits cannot time out). It names the promise methods it stands for, so a
 * store whose `claim` or `complete` was replaced or spied on afterwards, or a copy with its own
 * methods (`{ ...memoryStore(), claim }`), is called through its promise methods as usual.
 */
export interface SynchronousStore {
  claimAsync: DedupeStore['claim']
  completeAsync: DedupeStore['complete']
  claim(keys: readonly string[], options: { leaseMs: number }): ClaimResult
  complete(keys: readonly string[], token: string, options: { retentionMs: number }): boolean
}

// Registered, so that the ESM and the CJS copy of the package see the same slot.
export const SYNCHRONOUS_STORE = Symbol.for('webhook-inbox.synchronous-store')

/** The store's synchronous form, when it has one and its promise methods are still its own. */
export function synchronousStore(store: DedupeStore): SynchronousStore | undefined {
  const synchronous = (store as { [SYNCHRONOUS_STORE]?: SynchronousStore })[SYNCHRONOUS_STORE]
  if (!synchronous || store.claim !== synchronous.claimAsync || store.complete !== synchronous.completeAsync) {
    return undefined
  }
  return synchronous
}
