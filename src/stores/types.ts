/** The answer to a claim: this caller holds the id now, it was already processed, or another delivery holds it. */
export type ClaimResult = { state: 'claimed'; token: string } | { state: 'duplicate' } | { state: 'in-flight' }

/**
 * The dedupe-store contract. Implementations must make `claim` atomic across every process
 * that shares the store, and must check the token in `complete` and `release`, so that a holder
 * whose lease ran out can never complete or release a claim another delivery now holds.
 *
 * Run `testDedupeStore` from `webhook-inbox/testing` against your implementation.
 */
export interface DedupeStore {
  /**
   * Claims `key` for `leaseMs`. `claimed` when the key is free, was released, or its lease ran
   * out; `duplicate` when it was completed and is still retained; `in-flight` otherwise.
   */
  claim(key: string, options: { leaseMs: number }): Promise<ClaimResult>
  /** Marks the claim done and keeps it for `retentionMs`. `false` when `token` no longer holds the key. */
  complete(key: string, token: string, options: { retentionMs: number }): Promise<boolean>
  /** Frees the claim so the next delivery is processed. `false` when `token` no longer holds the key. */
  release(key: string, token: string): Promise<boolean>
  /** Frees resources the store owns (never the client the user passed in). Safe to call twice. */
  close?(): Promise<void>
}
