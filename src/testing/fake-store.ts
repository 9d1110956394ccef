import { memoryStore } from '../stores/memory.js'
import type { ClaimResult, DedupeStore } from '../stores/types.js'

/** One call a {@link recordingStore} saw. `key` is `keys[0]`, the `provider:id` key. */
export type StoreCall =
  | { op: 'claim'; key: string; keys: readonly string[]; leaseMs: number; result: ClaimResult | 'error' }
  | {
      op: 'complete'
      key: string
      keys: readonly string[]
      token: string
      retentionMs: number
      result: boolean | 'error'
    }
  | { op: 'release'; key: string; keys: readonly string[]; token: string; result: boolean | 'error' }

/** A store that records every call and can be told to fail, for unit tests of code around the handler. */
export interface RecordingStore extends DedupeStore {
  readonly calls: readonly StoreCall[]
  /** Makes the next `count` calls of `op` throw `error` (default: one call, a plain Error). */
  failNext(op: StoreCall['op'], options?: { count?: number; error?: unknown }): void
  /** Makes every call of `op` wait `ms` first (to test `storeTimeoutMs`). */
  delay(op: StoreCall['op'], ms: number): void
  /** Forgets the recorded calls. */
  reset(): void
}

/**
 * Wraps a store (a fresh `memoryStore()` by default), recording every call.
 *
 * @example
 * import { recordingStore } from 'webhook-inbox/testing'
 * const store = recordingStore()
 * store.failNext('claim')          // the next delivery answers 503
 * expect(store.calls.map((c) => c.op)).toEqual(['claim', 'complete'])
 */
export function recordingStore(inner: DedupeStore = memoryStore()): RecordingStore {
  const calls: StoreCall[] = []
  const failures: Partial<Record<StoreCall['op'], { count: number; error: unknown }>> = {}
  const delays: Partial<Record<StoreCall['op'], number>> = {}

  async function run<R>(
    op: StoreCall['op'],
    work: () => Promise<R>,
    record: (result: R | 'error') => StoreCall,
  ): Promise<R> {
    const wait = delays[op]
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait))
    const failure = failures[op]
    if (failure && failure.count > 0) {
      failure.count--
      calls.push(record('error'))
      throw failure.error
    }
    const result = await work()
    calls.push(record(result))
    return result
  }

  return {
    get calls() {
      return calls
    },
    failNext(op, options = {}) {
      failures[op] = {
        count: options.count ?? 1,
        error: options.error ?? new Error(`recordingStore: ${op} failed on purpose`),
      }
    },
    delay(op, ms) {
      delays[op] = ms
    },
    reset() {
      calls.length = 0
    },
    multiKey: true,
    claim: (keys, options) =>
      run(
        'claim',
        () => inner.claim(keys, options),
        (result) => ({ op: 'claim', key: keys[0] as string, keys: [...keys], leaseMs: options.leaseMs, result }),
      ),
    complete: (keys, token, options) =>
      run(
        'complete',
        () => inner.complete(keys, token, options),
        (result) => ({
          op: 'complete',
          key: keys[0] as string,
          keys: [...keys],
          token,
          retentionMs: options.retentionMs,
          result,
        }),
      ),
    release: (keys, token) =>
      run(
        'release',
        () => inner.release(keys, token),
        (result) => ({ op: 'release', key: keys[0] as string, keys: [...keys], token, result }),
      ),
    close: async () => inner.close?.(),
  }
}
