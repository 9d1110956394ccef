import type { WebhookError } from '../errors.js'
import type { Provider, WebhookEvent } from '../types.js'

/**
 * Where an inbox row is in its life: `pending` (accepted, waiting), `processing` (a worker holds
 * its lease), `failed` (the last attempt threw; a retry is scheduled), `dead` (out of attempts;
 * only `replay` brings it back) and `done`.
 */
export type InboxState = 'pending' | 'processing' | 'failed' | 'dead' | 'done'

/** Every state, in life order. */
export const INBOX_STATES: readonly InboxState[] = Object.freeze(['pending', 'processing', 'failed', 'dead', 'done'])

/**
 * Runs one parameterised statement and resolves with its rows: `$1, $2, ...` on PostgreSQL,
 * `?` on SQLite. The `query` a transactional `process` receives.
 */
// biome-ignore lint/suspicious/noExplicitAny: the drivers type their parameters narrowly; `unknown[]` would need a cast at every call site.
export type InboxQuery = (text: string, params?: any[]) => Promise<{ rows: unknown[] }>

/** One verified delivery, as the handler hands it to {@link Inbox.accept}. */
export interface InboxDelivery<T = unknown> {
  /** The event the handler built (payload included, credentials removed from the headers). */
  event: WebhookEvent<T>
  /** The exact bytes received, kept so that {@link Inbox.verify} can check the signature later. */
  body: Uint8Array
  /** The request method, upper-case. */
  method: string
  /** The full public URL the provider called (URL-signing schemes sign it). */
  url: string
  /**
   * The request headers kept on the row: credentials and provider-sensitive headers removed, but
   * the signature headers kept (unlike `event.headers`), so that {@link Inbox.verify} can check
   * the stored bytes again.
   */
  headers: Record<string, string>
}

/** The answer to {@link Inbox.accept}: stored now, or one of its keys is already in the inbox. */
export type AcceptResult = { state: 'accepted' } | { state: 'duplicate' }

/** The last failure of a row: its code and message only, never the payload or a stack. */
export interface InboxError {
  code: string
  message: string
}

/** One inbox row, as `get` and `list` return it. Times are ISO 8601; absent when the transition never happened. */
export interface InboxRecord<T = unknown> {
  /** The row's key: the first dedupe key, `provider:id` (or its `sha256:` form when the id is long or odd). */
  key: string
  /** Every dedupe key the row holds (a hit on any one is a duplicate). */
  keys: string[]
  provider: string
  /** The provider's event id. */
  id: string
  type: string
  state: InboxState
  /** The event the handler built; what `process` receives. */
  event: WebhookEvent<T>
  /** The exact raw body bytes as received. */
  body: Uint8Array
  /** Request headers, lower-cased, credentials and provider-sensitive headers removed; signature headers kept. */
  headers: Record<string, string>
  method: string
  url: string
  /** When the handler accepted the delivery (the handler's clock). */
  receivedAt: string
  /** The provider's signed timestamp, when the scheme has one. */
  timestamp?: string
  /** Attempts started since the row was accepted or last replayed. */
  attempts: number
  /** When the row is due: the next attempt (`pending`, `failed`) or the end of the lease (`processing`). */
  nextAttemptAt?: string
  lastError?: InboxError
  /** Times replayed, and the last time. */
  replays: number
  /** When the row was stored (the database clock). */
  acceptedAt: string
  /** When the last attempt started. */
  startedAt?: string
  /** When the last attempt failed. */
  failedAt?: string
  deadAt?: string
  doneAt?: string
  replayedAt?: string
  /** When the row last changed state. */
  updatedAt: string
}

/** Counts per state and the ages alerts are built on. */
export interface InboxStats {
  pending: number
  processing: number
  failed: number
  dead: number
  done: number
  /** Age of the oldest `pending` row in milliseconds (the processing lag), `null` when none. */
  oldestPendingAgeMs: number | null
  /** Age of the oldest `failed` row in milliseconds, `null` when none. */
  oldestFailedAgeMs: number | null
}

/** Options of {@link Inbox.list}. Rows come newest first. */
export interface InboxListOptions {
  /** Only rows in this state (or these states). */
  state?: InboxState | readonly InboxState[]
  provider?: string
  type?: string
  /** Only rows accepted at or after this time (a `Date`, ISO string or epoch milliseconds). */
  since?: Date | string | number
  /** Rows per page, 1 to 1000. @default 100 */
  limit?: number
  /** The `cursor` of the previous page. */
  cursor?: string
}

/** One page of {@link Inbox.list}. `cursor` is present when more rows may follow. */
export interface InboxPage<T = unknown> {
  records: InboxRecord<T>[]
  cursor?: string
}

/** Which rows {@link Inbox.replay} sends back to `pending`. Only `dead` and `done` rows are ever replayed. */
export interface InboxReplayFilter {
  /** @default 'dead' */
  state?: 'dead' | 'done' | readonly ('dead' | 'done')[]
  provider?: string
  type?: string
  /** Only rows accepted at or after this time. */
  since?: Date | string | number
  /** Most rows replayed by this call. @default unlimited (in batches of 1000) */
  limit?: number
}

/** Options of {@link Inbox.prune}. */
export interface InboxPruneOptions {
  /**
   * Rows whose last change is older than this are deleted. Keep it above the longest retry
   * window of your providers: a pruned id is no longer a duplicate.
   * @default 2592000000 (30 days)
   */
  olderThanMs?: number
  /** States pruned; only `done` and `dead` may be pruned. @default ['done'] */
  states?: readonly ('done' | 'dead')[]
  /** Rows deleted per statement, so one prune never holds many locks at once. @default 1000 */
  batchSize?: number
}

/** The result of {@link Inbox.verify}: the stored bytes still carry a valid signature, or why not. */
export type InboxVerifyResult = { ok: true } | { ok: false; error: WebhookError }

/** A row a worker holds: the lease token proves it when it marks the row. */
export interface InboxLease<T = unknown> {
  key: string
  token: string
  /** This attempt's number, from 1. */
  attempts: number
  event: WebhookEvent<T>
}

/** How an attempt failed: a retry after `retryInMs`, or `dead` when it is absent. */
export interface InboxFailure {
  error: InboxError
  /** Milliseconds until the next attempt; absent: the row goes to `dead`. */
  retryInMs?: number
}

/**
 * An inbox: a dedupe store that also keeps the delivery. `accept` dedupes and persists in one
 * atomic step (one statement or one transaction): the delivery is new and now durably stored, or
 * it is a duplicate. There is no lease at receive time, so there is no window in which an
 * accepted event can be lost or accepted twice. Workers then take rows with leases
 * (`claim`), and mark them with the lease token (`complete`, `fail`).
 *
 * Run `testInbox` from `webhook-inbox/testing` against an implementation.
 */
export interface Inbox {
  /** Stores the delivery unless any of `keys` (non-empty; `keys[0]` is `provider:id`) is already in the inbox. */
  accept(keys: readonly string[], delivery: InboxDelivery): Promise<AcceptResult>
  /** Leases up to `limit` due rows (oldest due first) for `leaseMs`. Used by the worker. */
  claim(options: { limit: number; leaseMs: number }): Promise<InboxLease[]>
  /** Marks a leased row `done`. `false` when the token no longer holds the row or its lease ran out. */
  complete(lease: InboxLease): Promise<boolean>
  /** Marks a leased row `failed` (retry scheduled) or `dead`. `false` when the token no longer holds it. */
  fail(lease: InboxLease, failure: InboxFailure): Promise<boolean>
  /**
   * Runs `work` in one database transaction that also marks the row `done`, after checking and
   * locking the lease: effects written through `query` commit if and only if the row becomes
   * `done`. Resolves `false` (nothing run) when the lease no longer holds. Absent when the
   * inbox has no transactions to offer.
   */
  transact?(lease: InboxLease, work: (query: InboxQuery) => Promise<void>): Promise<boolean>
  /** Calls `onDue` when a row may have become due (a new delivery, a replay). Returns the unsubscribe. */
  watch?(onDue: () => void): () => void
  /** The row whose key (any of its dedupe keys) is `key`. */
  get(key: string): Promise<InboxRecord | undefined>
  /** Rows newest first, filtered, a page at a time. */
  list(options?: InboxListOptions): Promise<InboxPage>
  /** Counts per state and the ages of the oldest pending and failed rows. */
  stats(): Promise<InboxStats>
  /**
   * Sends `dead` (or `done`) rows back to `pending` with their attempts reset, counting the replay
   * on each row. A key replays that row (when it is dead or done); a filter replays every match.
   * Resolves with how many rows were replayed.
   */
  replay(keyOrFilter: string | InboxReplayFilter): Promise<number>
  /** Deletes old `done` (or `dead`) rows in bounded batches; resolves with how many it deleted. */
  prune(options?: InboxPruneOptions): Promise<number>
  /**
   * Checks the stored raw bytes against the provider's signature again (ignoring the timestamp
   * window): a tamper check for rows at rest. Providers whose credential header is removed from
   * stored headers (shared tokens) cannot be re-verified and answer `ok: false`.
   */
  verify(key: string, provider: Provider): Promise<InboxVerifyResult>
  /** Frees what the inbox owns (never the client you passed in). Safe to call twice. */
  close?(): Promise<void>
}

/** What `process` gets beside the event. */
export interface ProcessContext {
  /**
   * With `transactional: true`: runs a statement in the transaction that marks the row done, so
   * its effects commit if and only if the row becomes `done`. Without it: `undefined`.
   */
  query: InboxQuery | undefined
  /** This attempt's number, from 1. */
  attempt: number
  /** Aborts when the worker's `signal` option aborts: stop long work early, the row is then retried. */
  signal: AbortSignal
}

/** What `onDead` is told. */
export interface DeadInfo<T = unknown> {
  event: WebhookEvent<T>
  key: string
  attempts: number
  error: InboxError
}

/** What a worker reports through `onError`: failures of the inbox itself (claims, marks), never `process` throws. */
export interface WorkerErrorInfo {
  phase: 'claim' | 'complete' | 'fail' | 'transaction' | 'hook'
  key?: string
  error: unknown
}

/** Options of `createInboxWorker`. A plain object, so wrappers (OpenTelemetry) can compose onto it. */
export interface InboxWorkerOptions<T = unknown> {
  inbox: Inbox
  /** Handles one event. Throw to have it retried; after `retry.maxAttempts` it is `dead`. */
  process: (event: WebhookEvent<T>, context: ProcessContext) => Promise<unknown> | unknown
  /** Events processed at once by this worker. @default 1 */
  concurrency?: number
  /**
   * How long a claim holds a row. A worker that dies mid-event loses the row after this, and
   * another worker takes it; keep it above your slowest `process`. @default 60000
   */
  leaseMs?: number
  /**
   * Run `process` in the transaction that marks the row done (`context.query`), so its database
   * effects happen exactly once. Needs an inbox with transactions (`postgresInbox` with a
   * `transaction` option, or `sqliteInbox`). @default false
   */
  transactional?: boolean
  retry?: {
    /** Attempts before a row is `dead`. @default 8 */
    maxAttempts?: number
    /**
     * Wait before attempt `attempt + 1`, in milliseconds.
     * @default exponential from 1 s, doubling, capped at 15 min, with 50–100 % jitter
     */
    backoffMs?: (attempt: number) => number
  }
  /** Called when a row goes `dead`. */
  onDead?: (info: DeadInfo<T>) => unknown
  /** Called for inbox failures (database down during a claim or a mark). The worker keeps going. */
  onError?: (info: WorkerErrorInfo) => unknown
  /** How often an idle worker looks for due rows when no notification wakes it. @default 1000 */
  pollIntervalMs?: number
  /** Aborting it stops the worker (as `stop()`). */
  signal?: AbortSignal
}

/** A running (or startable) inbox worker. */
export interface InboxWorker {
  /** Starts claiming and processing. Safe to call twice. */
  start(): void
  /** Stops claiming, lets the events it holds finish, then resolves. */
  stop(): Promise<void>
  /** Processes until nothing is due (for tests and scripts); resolves with how many attempts it ran. */
  drain(): Promise<number>
  /** Whether `start()` was called and `stop()` was not. */
  readonly running: boolean
}
