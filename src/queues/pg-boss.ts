import type PgBoss from 'pg-boss'
import { publishing, requireContext } from '../core/enqueue-context.js'
import type { EnqueueContext } from '../core/options.js'
import { isTransactionalStore, markSameTransaction, type TransactionalStore } from '../core/same-transaction.js'
import { getCrypto } from '../crypto/index.js'
import { configInvariant } from '../errors.js'
import type { PostgresQuery } from '../stores/postgres.js'
import type { WebhookEvent } from '../types.js'

/** The part of a started `PgBoss` instance this helper uses (pg-boss 10). */
export interface PgBossLike {
  // biome-ignore lint/suspicious/noExplicitAny: pg-boss types the job data as `object`.
  send(name: string, data: any, options: PgBoss.SendOptions): Promise<string | null>
  getJobById(
    name: string,
    id: string,
    options?: PgBoss.ConnectionOptions & { includeArchive: boolean },
  ): Promise<unknown | null>
}

/** Options of {@link pgBossEnqueue}. */
export interface PgBossEnqueueOptions {
  /**
   * Options of every `send` (retryLimit, expireInSeconds, ...). `id` is always the helper's. Pass
   * `db` to send through your own connection, for example inside your own transaction.
   */
  sendOptions?: Omit<PgBoss.SendOptions, 'id'>
  /**
   * The handler's `postgresStore` (created with `transaction`, on the database that holds pg-boss's
   * schema): the handler then marks the claim done and sends the job in ONE transaction, so both
   * are committed or neither, and a failure between them cannot enqueue an event twice. The
   * handler must use this same store instance (a config error otherwise). Called outside such a
   * handler, the function sends on its own, like without this option.
   * @default undefined (send, then the handler completes the claim separately)
   */
  sameTransaction?: TransactionalStore
}

/**
 * The pg-boss job id of a dedupe key: a UUID (version 8, RFC 9562) made of the first 122 bits of
 * SHA-256 over the key's UTF-8 bytes. The same key gives the same id in every process and release.
 *
 * @example
 * import { pgBossJobId } from 'webhook-inbox/pg-boss'
 * await pgBossJobId('stripe:evt_1') // a UUID, always the same for this key
 */
export async function pgBossJobId(key: string): Promise<string> {
  const digest = await getCrypto().digest('SHA-256', new TextEncoder().encode(key))
  const bytes = digest.slice(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * An `enqueue` for pg-boss 10: `boss.send(queueName, event, { id })` with a job id derived from
 * the event's dedupe key ({@link pgBossJobId}). pg-boss inserts with `ON CONFLICT DO NOTHING`, so a
 * second send of the same key is a no-op while the job is in the job table: completed jobs stay
 * there until `archiveCompletedAfterSeconds` (default 12 h) moves them to the archive, so set it
 * at least to the handler's `retentionMs`. The job data is the `WebhookEvent` unchanged, plus a
 * `messageHeaders` field with `context.headers` (trace context) when there are any. The queue
 * must exist (`await boss.createQueue(queueName)`): a send to a missing queue throws.
 *
 * @example
 * import PgBoss from 'pg-boss'
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { pgBossEnqueue } from 'webhook-inbox/pg-boss'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const boss = new PgBoss({ connectionString: process.env.DATABASE_URL, archiveCompletedAfterSeconds: 4 * 24 * 3600 })
 * await boss.start()
 * await boss.createQueue('webhooks')
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: pgBossEnqueue(boss, 'webhooks', { sendOptions: { retryLimit: 5 } }),
 * })
 */
export function pgBossEnqueue<T = unknown>(
  boss: PgBossLike,
  queueName: string,
  options: PgBossEnqueueOptions = {},
): (event: WebhookEvent<T>, context: EnqueueContext) => Promise<void> {
  configInvariant(
    typeof boss?.send === 'function' && typeof boss.getJobById === 'function',
    'pgBossEnqueue: pass a started PgBoss instance, e.g. `pgBossEnqueue(boss, "webhooks")`.',
  )
  configInvariant(
    typeof queueName === 'string' && queueName !== '',
    'pgBossEnqueue: `queueName` is required: the pg-boss queue, created with `boss.createQueue(name)`.',
  )
  const sendOptions = options.sendOptions ?? {}
  configInvariant(
    !('id' in sendOptions),
    'pgBossEnqueue: `sendOptions.id` is set by the helper from the dedupe key; remove it.',
  )
  const { sameTransaction } = options
  if (sameTransaction !== undefined) {
    configInvariant(
      typeof (sameTransaction as Partial<TransactionalStore>)?.completeWithin === 'function',
      "pgBossEnqueue: `sameTransaction` must be the handler's postgresStore (from webhook-inbox/postgres); other stores cannot share a transaction with pg-boss.",
    )
    configInvariant(
      isTransactionalStore(sameTransaction),
      'pgBossEnqueue: `sameTransaction` needs a postgresStore created with `transaction`, e.g. `postgresStore({ query, transaction: pgPoolTransaction(pool) })`.',
    )
    configInvariant(
      sendOptions.db === undefined,
      "pgBossEnqueue: set `sendOptions.db` or `sameTransaction`, not both: with `sameTransaction` the job is sent through the store's transaction.",
    )
  }

  async function send(event: WebhookEvent<T>, context: EnqueueContext, db: PgBoss.Db | undefined): Promise<void> {
    const id = await pgBossJobId(context.key)
    const data = Object.keys(context.headers).length > 0 ? { ...event, messageHeaders: context.headers } : event
    const created = await boss.send(
      queueName,
      data,
      db === undefined ? { ...sendOptions, id } : { ...sendOptions, id, db },
    )
    if (created !== null) return
    // null: the id exists (a duplicate, which is the point), or the queue does not.
    const existing = await boss.getJobById(queueName, id, { includeArchive: true, db: db ?? sendOptions.db })
    if (existing === null) {
      throw new Error(
        `[webhook-inbox] [${event.provider}] pgBossEnqueue: pg-boss stored no job in "${queueName}"; does the queue exist? Call \`await boss.createQueue(${JSON.stringify(queueName)})\` at startup.`,
      )
    }
  }

  const enqueue = async (event: WebhookEvent<T>, context: EnqueueContext): Promise<void> => {
    requireContext('pgBossEnqueue', context)
    await publishing('pgBossEnqueue', context, () => send(event, context, undefined))
  }
  if (sameTransaction === undefined) return enqueue
  return markSameTransaction(enqueue, {
    store: sameTransaction,
    async sendWithin(event, context, query) {
      requireContext('pgBossEnqueue', context)
      await send(event as WebhookEvent<T>, context, transactionDb(query))
    },
  })
}

// pg-boss's `db` option: `executeSql(text, values)` resolving `{ rows }` (pg-boss 10's `Db`).
function transactionDb(query: PostgresQuery): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result: unknown = await query(text, values)
      return Array.isArray(result) ? { rows: result } : (result as { rows: unknown[] })
    },
  }
}
