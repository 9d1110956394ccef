// A small provider simulator with fault injection: deliveries with duplicates, concurrent
// duplicates and reordering, retried as the provider's own retriedStatuses say, against a handler
// whose enqueue fails at random and whose store drops a share of calls (before or after the call
// reached the database). It checks exactly-once processing and every answer the provider got.
import { createWebhookHandler, type DedupeStore } from '../../src/index.js'
import type { Provider } from '../../src/types.js'
import { prng } from './fuzz.js'
import { type PresetCase, signEvent } from './presets.js'

export interface FaultOptions {
  preset: PresetCase
  store: DedupeStore
  events: number
  seed: number
  enqueueFailure: number
  storeDrop: number
  concurrency: number
}

export interface FaultReport {
  provider: string
  events: number
  deliveries: number
  attempts: number
  enqueueFailures: number
  storeDrops: number
  lost: number
  processedTwice: number
  /** Enqueue calls for an id already queued, absorbed by the queue's idempotency id (the documented complete-failure window). */
  reenqueuedAbsorbed: number
  violations: string[]
}

function retried(provider: Provider, status: number): boolean {
  const ranges = provider.retriedStatuses ?? [[400, 599]]
  return ranges.some(([low, high]) => status >= low && status <= high)
}

/** Wraps a store so that `rate` of its calls fail: half before reaching the database, half after. */
export function droppingStore(inner: DedupeStore, rate: number, random: () => number, onDrop: () => void): DedupeStore {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const roll = random()
      if (roll < rate / 2) {
        onDrop()
        throw new Error('dropped before the store')
      }
      const result = await call(...args)
      if (roll < rate) {
        onDrop()
        throw new Error('answer lost after the store')
      }
      return result
    }
  const store = inner as DedupeStore & { multiKey?: true }
  return {
    ...(store.multiKey ? { multiKey: true as const } : {}),
    claim: wrap(store.claim.bind(store)),
    complete: wrap(store.complete.bind(store)),
    release: wrap(store.release.bind(store)),
  } as DedupeStore
}

export async function runFaults(options: FaultOptions): Promise<FaultReport> {
  const random = prng(options.seed)
  const { preset } = options
  const provider = preset.create([preset.secrets[0]])
  const keysOf = new Map<string, Set<string>>()
  let enqueueFailures = 0
  let storeDrops = 0
  let reenqueuedAbsorbed = 0
  const store = droppingStore(options.store, options.storeDrop, random, () => storeDrops++)
  const handler = createWebhookHandler({
    provider,
    store,
    leaseMs: 300,
    enqueueTimeoutMs: 100,
    storeTimeoutMs: 1000,
    onWarning: () => {},
    onError: () => {},
    enqueue: async (event, context) => {
      if (random() < options.enqueueFailure) {
        enqueueFailures++
        throw new Error('queue unavailable')
      }
      // The queue's own idempotency id (BullMQ jobId, pg-boss id, AMQP messageId, JetStream msgID)
      // absorbs a second write of one key; two keys for one event would be processed twice.
      // The simulator's own id travels in the signed body; the provider's id may be another.
      const id = (event.payload as { id?: string } | undefined)?.id ?? event.id
      const keys = keysOf.get(id) ?? new Set<string>()
      keysOf.set(id, keys)
      if (keys.has(context.key)) reenqueuedAbsorbed++
      keys.add(context.key)
    },
  })
  const ids = Array.from({ length: options.events }, (_, i) => `evt_fault_${options.seed}_${i}`)
  // Each event is delivered once, twice or three times; a third of the repeated ones all at the
  // same moment, the others as separate deliveries in shuffled order.
  const deliveries: { id: string; copies: number }[] = []
  for (const id of ids) {
    const copies = random() < 0.3 ? 2 + Math.floor(random() * 2) : 1
    if (copies > 1 && random() < 0.33) deliveries.push({ id, copies })
    else for (let c = 0; c < copies; c++) deliveries.push({ id, copies: 1 })
  }
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[deliveries[i], deliveries[j]] = [
      deliveries[j] as (typeof deliveries)[number],
      deliveries[i] as (typeof deliveries)[number],
    ]
  }
  const violations: string[] = []
  let attempts = 0
  const now = Date.now()
  const durable = (id: string) => (keysOf.get(id)?.size ?? 0) > 0
  async function deliver(id: string): Promise<void> {
    const request = await signEvent(preset, { secret: preset.secrets[0], id, note: 'fault', now })
    for (let attempt = 1; attempt <= 400; attempt++) {
      attempts++
      const response = await handler.handle(request)
      if (response.status >= 200 && response.status < 300) {
        if (!durable(id)) violations.push(`${id}: ${response.status} before the event was queued`)
        return
      }
      if (!retried(provider, response.status)) {
        if (!durable(id)) violations.push(`${id}: final ${response.status} while not queued (the provider stops: lost)`)
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(random() * 20)))
    }
    violations.push(`${id}: still refused after 400 attempts`)
  }
  let next = 0
  async function worker(): Promise<void> {
    while (next < deliveries.length) {
      const delivery = deliveries[next++] as (typeof deliveries)[number]
      await Promise.all(Array.from({ length: delivery.copies }, () => deliver(delivery.id)))
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  let lost = 0
  for (const id of ids) if (!durable(id)) lost++
  const processedTwice = [...keysOf.values()].filter((keys) => keys.size > 1).length
  return {
    provider: preset.name,
    events: ids.length,
    deliveries: deliveries.length,
    attempts,
    enqueueFailures,
    storeDrops,
    lost,
    processedTwice,
    reenqueuedAbsorbed,
    violations: violations.slice(0, 20),
  }
}
