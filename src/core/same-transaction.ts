// An `enqueue` that writes inside the dedupe store's own transaction (pg-boss with postgresStore):
// the claim is marked done and the job inserted in one commit, or neither. The handler finds such
// an `enqueue` by a registered symbol (the helper and the handler may come from different bundles
// of this package) and then calls the store instead of `enqueue` + `complete`.
import { WebhookConfigError, WebhookError } from '../errors.js'
import type { PostgresQuery } from '../stores/postgres.js'
import type { DedupeStore } from '../stores/types.js'
import type { WebhookEvent } from '../types.js'
import type { EnqueueContext } from './options.js'

const SAME_TRANSACTION = Symbol.for('webhook-inbox.same-transaction-enqueue')
/** Set by `postgresStore` when it was given `transaction`: the store can run `completeWithin`. */
export const TRANSACTIONAL_STORE = Symbol.for('webhook-inbox.transactional-store')

/** What a store needs to complete a claim in the same transaction as another write. */
export interface TransactionalStore {
  completeWithin(
    keys: readonly string[],
    token: string,
    options: { retentionMs: number; signal?: AbortSignal },
    work: (query: PostgresQuery) => Promise<void>,
  ): Promise<boolean>
}

/** The part of a same-transaction `enqueue` the handler calls: the write, given the transaction. */
export interface SameTransactionEnqueue {
  readonly store: TransactionalStore
  sendWithin(event: WebhookEvent, context: EnqueueContext, query: PostgresQuery): Promise<void>
}

/** True when `store` is a postgresStore created with `transaction`. */
export function isTransactionalStore(store: unknown): store is TransactionalStore {
  return (store as { [TRANSACTIONAL_STORE]?: unknown } | null)?.[TRANSACTIONAL_STORE] === true
}

/** Tags `enqueue` (a queue helper's function) as writing inside `tagged.store`'s transaction. */
export function markSameTransaction<F extends object>(enqueue: F, tagged: SameTransactionEnqueue): F {
  Object.defineProperty(enqueue, SAME_TRANSACTION, { value: tagged })
  return enqueue
}

/**
 * For wrappers that only change the context before calling the user's `enqueue` (as
 * `withOpenTelemetry` adds trace headers): gives `wrapper` the same-transaction tag of `original`,
 * with `mapContext` applied on that path too, so that wrapping does not quietly turn a
 * same-transaction `enqueue` into an ordinary one. `wrapper` unchanged when `original` has no tag.
 */
export function keepSameTransaction<F extends object>(
  original: unknown,
  wrapper: F,
  mapContext: (event: WebhookEvent, context: EnqueueContext) => EnqueueContext,
): F {
  const tagged = (original as { [SAME_TRANSACTION]?: SameTransactionEnqueue } | undefined)?.[SAME_TRANSACTION]
  if (tagged === undefined) return wrapper
  return markSameTransaction(wrapper, {
    store: tagged.store,
    sendWithin: (event, context, query) => tagged.sendWithin(event, mapContext(event, context), query),
  })
}

/**
 * At handler creation: the same-transaction part of `enqueue`, or undefined for an ordinary one.
 * A config error when it was built for another store than the handler's.
 */
export function sameTransactionOf(
  enqueue: unknown,
  store: DedupeStore | undefined,
  provider: string,
): SameTransactionEnqueue | undefined {
  const tagged = (enqueue as { [SAME_TRANSACTION]?: SameTransactionEnqueue } | undefined)?.[SAME_TRANSACTION]
  if (tagged === undefined) return undefined
  if (store === undefined || (store as unknown) !== tagged.store) {
    throw new WebhookConfigError(
      `createWebhookHandler: the enqueue sends inside ${store === undefined ? 'a postgresStore transaction, but the handler has no `store`' : "another store's transaction than the handler's `store`"}; pass the same postgresStore instance to both (\`store\`, and \`sameTransaction\` of the queue helper), or drop \`sameTransaction\`.`,
      { provider },
    )
  }
  return tagged
}

/**
 * One delivery through a same-transaction `enqueue`: the store marks the claim done (if `token`
 * still holds it) and the helper writes the job in one transaction. Rejects when nothing was
 * committed: the transaction failed or was rolled back, or the claim had lapsed (another
 * delivery may hold it now), so the handler releases the claim and answers 5xx.
 */
export async function enqueueCompleting(
  tagged: SameTransactionEnqueue,
  keys: readonly string[],
  token: string,
  event: WebhookEvent,
  context: EnqueueContext,
): Promise<void> {
  const { retentionMs, signal } = context
  const held = await tagged.store.completeWithin(keys, token, { retentionMs, signal }, (query) =>
    tagged.sendWithin(event, context, query),
  )
  if (!held) {
    throw new WebhookError(
      'enqueue_failed',
      'the claim lapsed before the job was sent (the lease ran out); nothing was queued, so the provider retries.',
      { provider: event.provider },
    )
  }
}
