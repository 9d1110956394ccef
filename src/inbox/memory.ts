import { configInvariant } from '../errors.js'
import { newToken, storageKey } from '../stores/key-internal.js'
import { iso, listQuery, notifyWatchers, pruneQuery, replayQuery, storedKeys, verifyRecord } from './inbox-internal.js'
import type { Inbox, InboxLease, InboxRecord, InboxState } from './types.js'

/** Options of {@link memoryInbox}. */
export interface MemoryInboxOptions {
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number
}

interface Row {
  seq: number
  record: InboxRecord
  acceptedMs: number
  updatedMs: number
  dueMs: number | undefined
  token: string | undefined
}

/** An {@link Inbox} in memory, with the rows it holds; nothing survives the process. */
export interface MemoryInbox extends Inbox {
  /** Rows held. */
  readonly size: number
}

/**
 * An inbox in this process's memory, for tests and the development loop: the same contract as the
 * PostgreSQL and SQLite inboxes (it passes `testInbox`), but nothing survives a restart and nothing
 * is shared with other processes. Never use it in production.
 *
 * @example
 * import { createInboxWorker, createWebhookHandler, memoryInbox } from 'webhook-inbox'
 * import { stripe } from 'webhook-inbox/providers'
 * const inbox = memoryInbox()
 * const handler = createWebhookHandler({ provider: stripe({ secret: 'whsec_test' }), inbox })
 * const worker = createInboxWorker({ inbox, process: async (event) => console.log(event.type) })
 */
export function memoryInbox(options: MemoryInboxOptions = {}): MemoryInbox {
  const now = options.now ?? Date.now
  configInvariant(typeof now === 'function', 'memoryInbox: `now` must be a function returning epoch milliseconds.')
  const rows = new Map<string, Row>()
  const byKey = new Map<string, string>()
  const watchers = new Set<() => void>()
  let seq = 0

  function move(row: Row, state: InboxState, time: number, dueMs: number | undefined): void {
    row.record.state = state
    row.updatedMs = time
    row.record.updatedAt = new Date(time).toISOString()
    row.dueMs = dueMs
    row.record.nextAttemptAt = iso(dueMs)
  }

  function held(lease: InboxLease, time: number): Row | undefined {
    const row = rows.get(lease.key)
    if (!row || row.token !== lease.token || row.record.state !== 'processing') return undefined
    if (row.dueMs === undefined || row.dueMs <= time) return undefined
    return row
  }

  function copy(row: Row): InboxRecord {
    return structuredClone(row.record)
  }

  async function find(key: string): Promise<Row | undefined> {
    const main = byKey.get(await storageKey(key))
    return main === undefined ? undefined : rows.get(main)
  }

  const inbox: MemoryInbox = {
    get size() {
      return rows.size
    },
    async accept(keys, delivery) {
      const stored = await storedKeys('memoryInbox', keys)
      if (stored.some((key) => byKey.has(key))) return { state: 'duplicate' }
      const time = now()
      const { event } = delivery
      const key = stored[0] as string
      const record: InboxRecord = {
        key,
        keys: stored,
        provider: event.provider,
        id: event.id,
        type: event.type,
        state: 'pending',
        event: structuredClone(event),
        body: new Uint8Array(delivery.body),
        headers: { ...delivery.headers },
        method: delivery.method,
        url: delivery.url,
        receivedAt: event.receivedAt,
        attempts: 0,
        replays: 0,
        acceptedAt: new Date(time).toISOString(),
        updatedAt: new Date(time).toISOString(),
      }
      if (event.timestamp !== undefined) record.timestamp = event.timestamp
      const row: Row = { seq: ++seq, record, acceptedMs: time, updatedMs: time, dueMs: time, token: undefined }
      record.nextAttemptAt = iso(time)
      rows.set(key, row)
      for (const k of stored) byKey.set(k, key)
      notifyWatchers(watchers)
      return { state: 'accepted' }
    },
    async claim({ limit, leaseMs }) {
      const time = now()
      const due = [...rows.values()]
        .filter(
          (row) =>
            (row.record.state === 'pending' || row.record.state === 'failed' || row.record.state === 'processing') &&
            row.dueMs !== undefined &&
            row.dueMs <= time,
        )
        .sort((a, b) => (a.dueMs as number) - (b.dueMs as number) || a.seq - b.seq)
        .slice(0, limit)
      const token = newToken()
      return due.map((row) => {
        row.token = token
        row.record.attempts += 1
        row.record.startedAt = new Date(time).toISOString()
        move(row, 'processing', time, time + leaseMs)
        return { key: row.record.key, token, attempts: row.record.attempts, event: structuredClone(row.record.event) }
      })
    },
    async complete(lease) {
      const time = now()
      const row = held(lease, time)
      if (!row) return false
      row.token = undefined
      row.record.doneAt = new Date(time).toISOString()
      move(row, 'done', time, undefined)
      return true
    },
    async fail(lease, failure) {
      const time = now()
      const row = held(lease, time)
      if (!row) return false
      row.token = undefined
      row.record.lastError = { ...failure.error }
      row.record.failedAt = new Date(time).toISOString()
      if (failure.retryInMs === undefined) {
        row.record.deadAt = new Date(time).toISOString()
        move(row, 'dead', time, undefined)
      } else {
        move(row, 'failed', time, time + Math.max(0, failure.retryInMs))
      }
      return true
    },
    watch(onDue) {
      watchers.add(onDue)
      return () => watchers.delete(onDue)
    },
    async get(key) {
      const row = await find(key)
      return row ? copy(row) : undefined
    },
    async list(listOptions) {
      const q = listQuery('memoryInbox', listOptions)
      const matches = [...rows.values()]
        .filter(
          (row) =>
            (q.states === undefined || q.states.includes(row.record.state)) &&
            (q.provider === undefined || row.record.provider === q.provider) &&
            (q.type === undefined || row.record.type === q.type) &&
            (q.since === undefined || row.acceptedMs >= q.since) &&
            (q.before === undefined || row.seq < q.before),
        )
        .sort((a, b) => b.seq - a.seq)
      const page = matches.slice(0, q.limit)
      const last = page.at(-1)
      return {
        records: page.map(copy),
        ...(matches.length > q.limit && last ? { cursor: String(last.seq) } : {}),
      }
    },
    async stats() {
      const time = now()
      const counts = { pending: 0, processing: 0, failed: 0, dead: 0, done: 0 }
      let oldestPending: number | undefined
      let oldestFailed: number | undefined
      for (const row of rows.values()) {
        counts[row.record.state]++
        if (row.record.state === 'pending') oldestPending = Math.min(oldestPending ?? row.acceptedMs, row.acceptedMs)
        if (row.record.state === 'failed') oldestFailed = Math.min(oldestFailed ?? row.acceptedMs, row.acceptedMs)
      }
      return {
        ...counts,
        oldestPendingAgeMs: oldestPending === undefined ? null : Math.max(0, time - oldestPending),
        oldestFailedAgeMs: oldestFailed === undefined ? null : Math.max(0, time - oldestFailed),
      }
    },
    async replay(keyOrFilter) {
      const time = now()
      let targets: Row[]
      if (typeof keyOrFilter === 'string') {
        const row = await find(keyOrFilter)
        targets = row && (row.record.state === 'dead' || row.record.state === 'done') ? [row] : []
      } else {
        const q = replayQuery('memoryInbox', keyOrFilter)
        targets = [...rows.values()]
          .filter(
            (row) =>
              (q.states as InboxState[]).includes(row.record.state) &&
              (q.provider === undefined || row.record.provider === q.provider) &&
              (q.type === undefined || row.record.type === q.type) &&
              (q.since === undefined || row.acceptedMs >= q.since),
          )
          .sort((a, b) => a.seq - b.seq)
          .slice(0, q.limit)
      }
      for (const row of targets) {
        row.record.attempts = 0
        row.record.replays += 1
        row.record.replayedAt = new Date(time).toISOString()
        move(row, 'pending', time, time)
      }
      if (targets.length > 0) notifyWatchers(watchers)
      return targets.length
    },
    async prune(pruneOptions) {
      const q = pruneQuery('memoryInbox', pruneOptions)
      const cutoff = now() - q.olderThanMs
      let deleted = 0
      for (const [key, row] of rows) {
        if ((q.states as InboxState[]).includes(row.record.state) && row.updatedMs <= cutoff) {
          rows.delete(key)
          for (const k of row.record.keys) byKey.delete(k)
          deleted++
        }
      }
      return deleted
    },
    async verify(key, provider) {
      return verifyRecord('memoryInbox', await inbox.get(key), provider)
    },
    async close() {
      watchers.clear()
    },
  }
  return inbox
}
