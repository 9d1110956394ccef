// What every inbox shares: key and option checks, the error a failed attempt leaves on its row,
// and re-verification of a stored row.
import { configInvariant, WebhookError, WebhookStoreError } from '../errors.js'
import { storageKey } from '../stores/key-internal.js'
import type { Provider } from '../types.js'
import {
  INBOX_STATES,
  type InboxError,
  type InboxListOptions,
  type InboxPruneOptions,
  type InboxRecord,
  type InboxReplayFilter,
  type InboxState,
  type InboxVerifyResult,
} from './types.js'

/** Longest error message kept on a row. */
const MAX_ERROR_MESSAGE = 500
const DAY = 86_400_000

/** The stored forms of `keys`, without repeats, `keys[0]`'s first. Throws on an empty or non-string list. */
export async function storedKeys(inbox: string, keys: readonly string[]): Promise<string[]> {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) {
    throw new WebhookStoreError('store_unavailable', `${inbox}.accept: \`keys\` must be a non-empty array of strings.`)
  }
  return [...new Set(await Promise.all(keys.map(storageKey)))]
}

/** The code and message a failed attempt leaves on its row: never a stack, bounded in length. */
export function inboxError(error: unknown): InboxError {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'process failed'
  return {
    code: typeof code === 'string' && code.length > 0 ? code.slice(0, 100) : 'process_failed',
    message: message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message,
  }
}

/** Epoch milliseconds of a `since` option. */
export function sinceMs(inbox: string, since: Date | string | number | undefined): number | undefined {
  if (since === undefined) return undefined
  const ms = since instanceof Date ? since.getTime() : typeof since === 'number' ? since : Date.parse(since)
  configInvariant(Number.isFinite(ms), `${inbox}: \`since\` must be a Date, an ISO 8601 string or epoch milliseconds.`)
  return ms
}

function stateList(inbox: string, state: InboxState | readonly InboxState[] | undefined): InboxState[] | undefined {
  if (state === undefined) return undefined
  const list = typeof state === 'string' ? [state] : [...state]
  configInvariant(
    list.length > 0 && list.every((s) => INBOX_STATES.includes(s)),
    `${inbox}: \`state\` must be one of ${INBOX_STATES.join(', ')} (or a list of them).`,
  )
  return list
}

export interface ListQuery {
  states?: InboxState[]
  provider?: string
  type?: string
  since?: number
  limit: number
  /** Rows with a sequence number below this one (the previous page's last). */
  before?: number
}

/** Checks `list` options; the cursor is the sequence number of the previous page's last row. */
export function listQuery(inbox: string, options: InboxListOptions = {}): ListQuery {
  const limit = options.limit ?? 100
  configInvariant(
    Number.isInteger(limit) && limit >= 1 && limit <= 1000,
    `${inbox}.list: \`limit\` must be an integer from 1 to 1000.`,
  )
  let before: number | undefined
  if (options.cursor !== undefined) {
    before = Number(options.cursor)
    configInvariant(
      Number.isSafeInteger(before) && before > 0,
      `${inbox}.list: \`cursor\` must be the cursor of a previous page.`,
    )
  }
  return {
    states: stateList(`${inbox}.list`, options.state),
    provider: options.provider,
    type: options.type,
    since: sinceMs(`${inbox}.list`, options.since),
    limit,
    before,
  }
}

export interface ReplayQuery {
  states: ('dead' | 'done')[]
  provider?: string
  type?: string
  since?: number
  limit: number
}

/** Checks a replay filter. */
export function replayQuery(inbox: string, filter: InboxReplayFilter): ReplayQuery {
  const states =
    filter.state === undefined
      ? ['dead' as const]
      : typeof filter.state === 'string'
        ? [filter.state]
        : [...filter.state]
  configInvariant(
    states.length > 0 && states.every((s) => s === 'dead' || s === 'done'),
    `${inbox}.replay: only \`dead\` and \`done\` rows can be replayed; \`state\` must be 'dead', 'done' or both.`,
  )
  const limit = filter.limit ?? Number.POSITIVE_INFINITY
  configInvariant(
    limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && limit > 0),
    `${inbox}.replay: \`limit\` must be a positive integer.`,
  )
  return {
    states,
    provider: filter.provider,
    type: filter.type,
    since: sinceMs(`${inbox}.replay`, filter.since),
    limit,
  }
}

export interface PruneQuery {
  olderThanMs: number
  states: ('done' | 'dead')[]
  batchSize: number
}

/** Checks prune options and fills in the defaults. */
export function pruneQuery(inbox: string, options: InboxPruneOptions = {}): PruneQuery {
  const olderThanMs = options.olderThanMs ?? 30 * DAY
  configInvariant(
    Number.isFinite(olderThanMs) && olderThanMs >= 0,
    `${inbox}.prune: \`olderThanMs\` must be a non-negative number of milliseconds.`,
  )
  const states = [...(options.states ?? ['done' as const])]
  configInvariant(
    states.length > 0 && states.every((s) => s === 'done' || s === 'dead'),
    `${inbox}.prune: only \`done\` and \`dead\` rows can be pruned; pending and failed rows are events not yet processed.`,
  )
  const batchSize = options.batchSize ?? 1000
  configInvariant(
    Number.isSafeInteger(batchSize) && batchSize > 0,
    `${inbox}.prune: \`batchSize\` must be a positive integer.`,
  )
  return { olderThanMs: Math.floor(olderThanMs), states, batchSize }
}

/**
 * Verifies a stored row again with `provider`, at the time it was received, so the timestamp
 * window is judged as it was then: only the signature over the stored bytes decides. The verified
 * id and type must also be the stored ones.
 */
export async function verifyRecord(
  inbox: string,
  record: InboxRecord | undefined,
  provider: Provider,
): Promise<InboxVerifyResult> {
  if (!record) {
    return { ok: false, error: new WebhookError('invalid_body', `${inbox}.verify: no row has this key.`) }
  }
  const now = Date.parse(record.receivedAt)
  let result: Awaited<ReturnType<Provider['verify']>>
  try {
    result = await provider.verify(
      { method: record.method, url: record.url, headers: record.headers, body: record.body },
      { now },
    )
  } catch (error) {
    return {
      ok: false,
      error: new WebhookError('internal_error', `${inbox}.verify: the provider threw.`, {
        provider: provider.name,
        cause: error,
      }),
    }
  }
  if (!result.ok) return { ok: false, error: result.error }
  if (provider.name !== record.provider || result.id !== record.id || result.type !== record.type) {
    return {
      ok: false,
      error: new WebhookError(
        'invalid_signature',
        `${inbox}.verify: the signature holds, but the signed id, type or provider is not the stored one.`,
        { provider: provider.name },
      ),
    }
  }
  return { ok: true }
}

/** The worker's default backoff: 1 s doubling per attempt, capped at 15 min, 50–100 % jitter. */
export function defaultBackoffMs(attempt: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000)
  return Math.round(base * (0.5 + Math.random() / 2))
}

/** ISO form of epoch milliseconds, or undefined. */
export function iso(ms: number | null | undefined): string | undefined {
  return ms === null || ms === undefined ? undefined : new Date(ms).toISOString()
}

/** Calls every watcher of an inbox; a watcher's throw must not fail the operation that already committed. */
export function notifyWatchers(watchers: Iterable<() => void>): void {
  for (const watcher of watchers) {
    try {
      watcher()
    } catch {
      // Nothing to do: the row is stored, and the worker also polls.
    }
  }
}

const TRANSITION_COLUMNS = [
  ['next_attempt_at', 'nextAttemptAt'],
  ['started_at', 'startedAt'],
  ['failed_at', 'failedAt'],
  ['dead_at', 'deadAt'],
  ['done_at', 'doneAt'],
  ['replayed_at', 'replayedAt'],
] as const

/**
 * An `InboxRecord` from a database row (PostgreSQL and SQLite share the columns; times in epoch
 * milliseconds, `event`, `keys` and `headers` as JSON text). `body` is the row's raw bytes,
 * decoded by the caller, since each database stores them its own way.
 */
export function recordFromRow(row: Record<string, unknown>, body: Uint8Array): InboxRecord {
  const event = JSON.parse(String(row.event)) as InboxRecord['event']
  const at = (column: string) => iso(row[column] as number | null)
  const result: InboxRecord = {
    key: String(row.key),
    keys: JSON.parse(String(row.keys)) as string[],
    provider: event.provider,
    id: event.id,
    type: event.type,
    state: row.state as InboxState,
    event,
    body,
    headers: JSON.parse(String(row.headers)) as Record<string, string>,
    method: String(row.method),
    url: String(row.url),
    receivedAt: event.receivedAt,
    attempts: Number(row.attempts),
    replays: Number(row.replays),
    acceptedAt: at('accepted_at') as string,
    updatedAt: at('updated_at') as string,
  }
  if (event.timestamp !== undefined) result.timestamp = event.timestamp
  if (row.last_error_code !== null && row.last_error_code !== undefined) {
    result.lastError = { code: String(row.last_error_code), message: String(row.last_error_message ?? '') }
  }
  for (const [column, field] of TRANSITION_COLUMNS) {
    const value = at(column)
    if (value !== undefined) result[field] = value
  }
  return result
}
