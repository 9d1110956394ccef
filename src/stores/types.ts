/** The answer to a claim: this caller holds the keys now, the delivery was already processed, or another delivery holds one of its keys. */
export type ClaimResult = { state: 'claimed'; token: string } | { state: 'duplicate' } | { state: 'in-flight' }

/**
 * The dedupe-store contract. One delivery is claimed under several keys at once: `keys[0]` is
 * `provider:id`, and where the provider's id is not signed the handler adds a key derived from
 * the signed material (`provider:sig:<sha256>`), so a captured delivery re-sent under a new id
 * is still a duplicate. `keys` is never empty and holds no repeats.
 *
 * Implementations must make `claim` atomic across every process that shares the store (all keys
 * or none), and must check the token on every key in `complete` and `release`, so that a holder
 * whose lease ran out can never complete or release a claim another delivery now holds.
 *
 * A store must say it implements this contract with `multiKey: true`. A store written for the
 * earlier one-key contract (`claim(key: string, ...)`, no `multiKey`) still works: the handler
 * wraps it with `singleKeyStore` (from `webhook-inbox`), which claims the keys one after the
 * other (each key atomic, the set not), and warns once through `onWarning`.
 *
 * Run `testDedupeStore` from `webhook-inbox/testing` against your implementation.
 *
 * @example
 * import { type DedupeStore, memoryStore } from 'webhook-inbox'
 * // A store that logs each claim's keys and delegates to another store.
 * const inner = memoryStore()
 * const store: DedupeStore = {
 *   multiKey: true,
 *   claim: (keys, options) => {
 *     console.log('claim', keys)
 *     return inner.claim(keys, options)
 *   },
 *   complete: (keys, token, options) => inner.complete(keys, token, options),
 *   release: (keys, token) => inner.release(keys, token),
 * }
 */
export interface DedupeStore {
  /** Declares the several-keys contract below; stores without it are treated as one-key stores. */
  readonly multiKey: true
  /**
   * Claims every key in `keys` for `leaseMs`, atomically. `duplicate` when any key was
   * completed and is still retained; otherwise `in-flight` when any key is held by a live lease;
   * otherwise `claimed` (every key is free, was released, or its lease or retention ran out), and
   * all keys now hold the same token.
   */
  claim(keys: readonly string[], options: { leaseMs: number }): Promise<ClaimResult>
  /**
   * Marks the claim done and keeps every key for `retentionMs`. `false`, changing nothing, when
   * `token` no longer holds all of `keys`.
   */
  complete(keys: readonly string[], token: string, options: { retentionMs: number }): Promise<boolean>
  /** Frees every key so the next delivery is processed. `false`, changing nothing, when `token` no longer holds all of `keys`. */
  release(keys: readonly string[], token: string): Promise<boolean>
  /** Frees resources the store owns (never the client the user passed in). Safe to call twice. */
  close?(): Promise<void>
}

/**
 * A store written for the one-key contract of webhook-inbox before several keys per delivery.
 *
 * @example
 * import { singleKeyStore, type SingleKeyDedupeStore } from 'webhook-inbox'
 * const legacy: SingleKeyDedupeStore = myOldStore
 * const store = singleKeyStore(legacy)
 */
export interface SingleKeyDedupeStore {
  claim(key: string, options: { leaseMs: number }): Promise<ClaimResult>
  complete(key: string, token: string, options: { retentionMs: number }): Promise<boolean>
  release(key: string, token: string): Promise<boolean>
  close?(): Promise<void>
}
