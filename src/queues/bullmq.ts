import type { JobsOptions } from 'bullmq'
import { publishing, requireContext } from '../core/enqueue-context.js'
import type { EnqueueContext } from '../core/options.js'
import { configInvariant } from '../errors.js'
import type { WebhookEvent } from '../types.js'

/** The part of a BullMQ `Queue` this helper uses (BullMQ 5 and 6). */
export interface BullmqQueueLike {
  readonly name: string
  // biome-ignore lint/suspicious/noExplicitAny: Queue<DataType> types `add`'s data by the queue's own type parameter.
  add(name: string, data: any, options?: JobsOptions): Promise<{ id?: string | undefined }>
  readonly defaultJobOptions?: Pick<JobsOptions, 'removeOnComplete'>
}

/** Options of {@link bullmqEnqueue}. */
export interface BullmqEnqueueOptions<T = unknown> {
  /**
   * The job name, a string or a function of the event.
   * @default the event's type (`event.type`)
   */
  name?: string | ((event: WebhookEvent<T>) => string)
  /** Options added to every job (attempts, backoff, removeOnComplete, ...). `jobId` is always the helper's. */
  jobOptions?: Omit<JobsOptions, 'jobId'>
  /** Receives the retention warning. @default console.warn */
  onWarning?: (message: string) => void
}

/**
 * BullMQ refuses custom ids that contain `:` or are integers; `encodeURIComponent` turns the
 * `provider:id` key into an id with neither, and it is reversible, so two keys never share a jobId.
 *
 * @example
 * import { bullmqJobId } from 'webhook-inbox/bullmq'
 * bullmqJobId('stripe:evt_1') // 'stripe%3Aevt_1'
 */
export function bullmqJobId(key: string): string {
  return encodeURIComponent(key)
}

function keptLongEnough(remove: JobsOptions['removeOnComplete'], retentionMs: number): boolean {
  if (remove === undefined || remove === false) return true
  if (typeof remove === 'object') {
    const { age, count } = remove as { age?: number; count?: number }
    if (age !== undefined && count === undefined) return age * 1000 >= retentionMs
  }
  // `true` removes at once; a count keeps the last N jobs, however young.
  return false
}

/**
 * An `enqueue` for BullMQ: `queue.add(name, event, { jobId })` with the job id derived from the
 * event's dedupe key. BullMQ ignores an add whose jobId exists, so a delivery that slips past the
 * dedupe store (the complete-after-enqueue window) is still one job, for as long as the job is
 * kept: keep completed jobs at least `retentionMs` (`removeOnComplete: { age }` in seconds). The
 * helper warns once per queue when the queue's or its own job options remove them sooner (a
 * worker's `removeOnComplete` is not visible from here). The job data is the `WebhookEvent`
 * unchanged; `context.headers` (trace context) travel as JSON in `telemetry.metadata`, BullMQ's
 * own field for context propagation.
 *
 * @example
 * import { Queue } from 'bullmq'
 * import { createWebhookHandler } from 'webhook-inbox'
 * import { bullmqEnqueue } from 'webhook-inbox/bullmq'
 * import { stripe } from 'webhook-inbox/providers'
 *
 * const queue = new Queue('webhooks', {
 *   connection: { host: '127.0.0.1', port: 6379 },
 *   defaultJobOptions: { removeOnComplete: { age: 4 * 24 * 3600 }, attempts: 5 },
 * })
 * const handler = createWebhookHandler({
 *   provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
 *   enqueue: bullmqEnqueue(queue),
 * })
 */
export function bullmqEnqueue<T = unknown>(
  queue: BullmqQueueLike,
  options: BullmqEnqueueOptions<T> = {},
): (event: WebhookEvent<T>, context: EnqueueContext) => Promise<void> {
  configInvariant(
    typeof queue?.add === 'function',
    'bullmqEnqueue: pass a BullMQ Queue, e.g. `bullmqEnqueue(new Queue("webhooks", { connection }))`.',
  )
  const { name, jobOptions = {}, onWarning = console.warn } = options
  configInvariant(
    name === undefined || typeof name === 'string' || typeof name === 'function',
    'bullmqEnqueue: `name` must be a string or a function of the event.',
  )
  configInvariant(
    !('jobId' in jobOptions),
    'bullmqEnqueue: `jobOptions.jobId` is set by the helper from the dedupe key; remove it.',
  )
  let warned = false
  return async function enqueue(event, context) {
    requireContext('bullmqEnqueue', context)
    const remove = jobOptions.removeOnComplete ?? queue.defaultJobOptions?.removeOnComplete
    if (!warned && !keptLongEnough(remove, context.retentionMs)) {
      warned = true
      onWarning(
        `[webhook-inbox] [${event.provider}] bullmqEnqueue: queue "${queue.name}" removes completed jobs before ${Math.ceil(context.retentionMs / 1000)} s (the handler's retentionMs); a retry that slips past the dedupe store after that would be a second job. Set removeOnComplete: { age: ${Math.ceil(context.retentionMs / 1000)} } or more.`,
      )
    }
    const headers = context.headers
    const jobName = typeof name === 'function' ? name(event) : (name ?? event.type)
    const add: JobsOptions = { ...jobOptions, jobId: bullmqJobId(context.key) }
    if (Object.keys(headers).length > 0) add.telemetry = { ...jobOptions.telemetry, metadata: JSON.stringify(headers) }
    await publishing('bullmqEnqueue', context, () => queue.add(jobName, event, add))
  }
}
