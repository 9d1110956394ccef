import { configInvariant } from '../errors.js'
import type { EventOrdering } from '../events/router.js'
import type { WebhookEvent } from '../types.js'
import { ORDERING_DEFAULTS, type OrderingRule } from './defaults.js'
import type { OrderingStore } from './store.js'

/** Options of {@link createOrderingGuard}. */
export interface OrderingGuardOptions<E> {
  /** Where the highest version per resource is kept: memory, Redis, PostgreSQL or SQLite. */
  store: OrderingStore
  /**
   * The resource an event describes. Read it only from the signed payload.
   * @default the preset's rule from {@link ORDERING_DEFAULTS}, by `event.provider`
   */
  resource?: OrderingRule<E>['resource']
  /**
   * The event's version (a number that grows with each change of the resource). Read it only
   * from the signed payload, never from an unsigned header.
   * @default the preset's rule from {@link ORDERING_DEFAULTS}, by `event.provider`
   */
  version?: OrderingRule<E>['version']
  /**
   * `'mark'` hands a stale event to the handlers with `event.stale === true`; `'skip'` runs no
   * handler for it (it counts as done).
   * @default 'mark'
   */
  stale?: 'mark' | 'skip'
}

/** What {@link OrderingGuard.check} answers. `resource` and `version` are absent for an unguarded event. */
export interface OrderingCheck {
  stale: boolean
  resource?: string
  version?: number
}

/** An ordering guard; pass it as `createEventRouter({ ordering })` or call `check` in any consumer. */
export interface OrderingGuard<E> extends EventOrdering<E> {
  check(event: E): Promise<OrderingCheck>
}

/**
 * Guards against events that arrive out of order: for each event it reads the resource and the
 * version, records the version in the store unless a higher one is there (one atomic
 * compare-and-set), and says whether the event is stale (older than one already seen). Events
 * without a resource or version pass unguarded. The store key is `provider:resource`.
 *
 * Run it where events are processed (the router, the inbox worker, a queue consumer), not in the
 * receiver: there it would record versions of events the queue has not yet delivered.
 *
 * @example
 * import type Stripe from 'stripe'
 * import { createEventRouter, type WebhookEvent } from 'webhook-inbox'
 * import { createOrderingGuard, memoryOrderingStore } from 'webhook-inbox/ordering'
 *
 * const router = createEventRouter<Stripe.Event>({
 *   unrouted: 'ignore',
 *   ordering: createOrderingGuard<WebhookEvent<Stripe.Event>>({ store: memoryOrderingStore(), stale: 'skip' }),
 * }).on('customer.updated', async (event) => { await saveCustomer(event.payload.data.object) })
 */
export function createOrderingGuard<E extends { provider: string } = WebhookEvent>(
  options: OrderingGuardOptions<E>,
): OrderingGuard<E> {
  const store = options?.store
  configInvariant(
    typeof store?.advance === 'function',
    'createOrderingGuard: `store` is required, e.g. memoryOrderingStore() or redisOrderingStore({ sendCommand }).',
  )
  configInvariant(
    (options.resource === undefined) === (options.version === undefined),
    'createOrderingGuard: pass both `resource` and `version`, or neither (to use the preset defaults).',
  )
  const stale = options.stale ?? 'mark'
  configInvariant(stale === 'mark' || stale === 'skip', "createOrderingGuard: `stale` must be 'mark' or 'skip'.")
  const custom =
    options.resource && options.version ? { resource: options.resource, version: options.version } : undefined

  return {
    stale,
    async check(event) {
      const rule = custom ?? (ORDERING_DEFAULTS[event.provider] as OrderingRule<E> | undefined)
      if (!rule) return { stale: false }
      const resource = rule.resource(event)
      const version = rule.version(event)
      if (typeof resource !== 'string' || resource === '' || typeof version !== 'number' || !Number.isFinite(version)) {
        return { stale: false }
      }
      const key = `${event.provider}:${resource}`
      const result = await store.advance(key, version)
      return { stale: result.stale, resource, version }
    },
  }
}
