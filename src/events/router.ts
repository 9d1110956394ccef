import { configInvariant, WebhookError } from '../errors.js'
import type { WebhookEvent, WebhookEventFields } from '../types.js'

type AnyEvent = WebhookEventFields<unknown, string>

/** `type.action` for payloads with a literal top-level `action` (GitHub, Linear). */
type ActionKeys<E> =
  E extends WebhookEventFields<infer P, infer K>
    ? P extends { readonly action: infer A extends string }
      ? `${K}.${A}`
      : never
    : never

/** Every `prefix.*` or `prefix/*` that matches `S` (`a.b.c` → `a.*` | `a.b.*`). */
type Wildcards<S extends string> = S extends `${infer Head}.${infer Rest}`
  ? `${Head}.*` | `${Head}.${Wildcards<Rest>}`
  : S extends `${infer Head}/${infer Rest}`
    ? `${Head}/*` | `${Head}/${Wildcards<Rest>}`
    : never

type Exact<E> = E extends WebhookEventFields<unknown, infer K> ? K : never

/**
 * What `.on()` accepts for events `E`: an exact type, `type.action`, a wildcard ending in `.*`
 * or `/*`, or `'*'`. For untyped events, any string.
 */
export type RouteKey<E> = '*' | Exact<E> | ActionKeys<E> | Wildcards<Exact<E> | ActionKeys<E>>

type WithPayload<E, P, K extends string> = WebhookEventFields<P, K> & Omit<E, 'payload' | 'type'>

type Narrow<E, R extends string> =
  E extends WebhookEventFields<infer P, infer K>
    ? string extends K
      ? E
      : R extends '*' | K
        ? E
        : R extends `${infer Prefix}*`
          ? K extends `${Prefix}${string}`
            ? E
            : P extends { readonly action: infer A extends string }
              ? `${K}.${A}` extends `${Prefix}${string}`
                ? WithPayload<E, P, K>
                : never
              : never
          : R extends `${K}.${infer A}`
            ? P extends { readonly action: infer Action extends string }
              ? A extends Action
                ? WithPayload<E, P extends { readonly action: A } ? P : P & { readonly action: A }, K>
                : never
              : never
            : never
    : never

/** The event a handler of route `R` gets: narrowed to the types that route matches. */
export type RoutedEvent<E, R extends string> = Narrow<E, R>

/** A route's handler. Throw to fail the event (the inbox worker then retries it). */
export type RouteHandler<E> = (event: E) => Promise<unknown> | unknown

/**
 * What happens to an event no route matches: `'ignore'` resolves (the event counts as done),
 * `'fail'` throws an `unrouted_event` error (the inbox worker retries it, then marks it dead),
 * a function decides (return to ignore, throw to fail).
 */
export type UnroutedPolicy<E> = 'ignore' | 'fail' | ((event: E) => Promise<unknown> | unknown)

/** What the router asks the ordering guard; `createOrderingGuard` from `webhook-inbox/ordering` builds one. */
export interface EventOrdering<E> {
  /** `'mark'` passes a stale event on with `stale: true`; `'skip'` runs no handler for it. */
  readonly stale: 'mark' | 'skip'
  /** Records the event's version for its resource; `stale` when a newer one was already seen. */
  check(event: E): Promise<{ stale: boolean }>
}

/** Options of {@link createEventRouter}. */
export interface EventRouterOptions<E> {
  /** What to do with an event no route matches. Required, so that dropping one is a choice. */
  unrouted: UnroutedPolicy<E>
  /**
   * Guards against out-of-order events before any handler runs; see `createOrderingGuard` in
   * `webhook-inbox/ordering`.
   * @default no guard
   */
  ordering?: EventOrdering<E>
}

/** What {@link EventRouter.handle} resolves with. */
export interface RouteOutcome {
  /** How many handlers ran. */
  handled: number
  /** The ordering guard found a newer event of the same resource. */
  stale: boolean
  /** No route matched (and `unrouted` let it through). */
  unrouted: boolean
}

/** Routes events to handlers by type; see {@link createEventRouter}. */
export interface EventRouter<E> {
  /** Adds a handler; handlers of every matching route run in the order they were added. */
  on<R extends RouteKey<E>>(route: R, handler: RouteHandler<RoutedEvent<E, R>>): EventRouter<E>
  /**
   * Runs the handlers that match `event`, one after the other; rejects with the first handler's
   * error. Pass it as the inbox worker's `process`, or call it from any queue consumer.
   */
  handle(event: E): Promise<RouteOutcome>
}

function routeMatches(route: string, candidates: readonly string[]): boolean {
  if (route === '*') return true
  if (route.endsWith('*')) {
    const prefix = route.slice(0, -1)
    return candidates.some((candidate) => candidate.startsWith(prefix))
  }
  return candidates.includes(route)
}

/** The names an event answers to: its type, and `type.action` when the payload has a string `action`. */
function routeNames(event: { type: string; payload: unknown }): string[] {
  const names = [event.type]
  const payload = event.payload
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const action = (payload as { action?: unknown }).action
    if (typeof action === 'string' && action !== '') names.push(`${event.type}.${action}`)
  }
  return names
}

/**
 * Routes events by type to typed handlers: exact types (`'invoice.paid'`), GitHub's and
 * Linear's `type.action` form (`'issues.opened'`, `'Issue.create'`, matched against the signed
 * body's `action`), wildcards (`'invoice.*'`, `'orders/*'`, `'*'`). Typed by the same payload
 * type as the preset, so each handler's event is narrowed to its route. `handle` takes one
 * event, so the router works as the inbox worker's `process` and in any queue consumer.
 *
 * @example
 * import type Stripe from 'stripe'
 * import { createEventRouter, type WebhookEvent } from 'webhook-inbox'
 *
 * const router = createEventRouter<Stripe.Event>({ unrouted: 'ignore' })
 *   .on('invoice.paid', async (event) => { await markPaid(event.payload.data.object.id, event.payload.data.object.amount_paid) })
 *   .on('customer.subscription.*', async (event) => { await syncSubscription(event.payload.data.object.id) })
 * export const processEvent = (event: WebhookEvent<Stripe.Event>) => router.handle(event)
 */
export function createEventRouter<T = unknown>(
  options: EventRouterOptions<WebhookEvent<T>>,
): EventRouter<WebhookEvent<T>> {
  type E = WebhookEvent<T>
  const unrouted = options?.unrouted
  configInvariant(
    unrouted === 'ignore' || unrouted === 'fail' || typeof unrouted === 'function',
    "createEventRouter: `unrouted` is required: 'ignore' (an event no route matches counts as done), 'fail' (it is retried, then dead) or a function.",
  )
  const ordering = options.ordering
  configInvariant(
    ordering === undefined ||
      (typeof ordering.check === 'function' && (ordering.stale === 'mark' || ordering.stale === 'skip')),
    'createEventRouter: `ordering` must come from createOrderingGuard() in webhook-inbox/ordering.',
  )
  const routes: { route: string; handler: RouteHandler<never> }[] = []

  const router: EventRouter<E> = {
    on(route, handler) {
      configInvariant(
        typeof route === 'string' && route !== '' && !route.slice(0, -1).includes('*'),
        "router.on: a route is an event type, `type.action`, a prefix ending in '*', or '*'.",
      )
      configInvariant(typeof handler === 'function', `router.on: the handler of '${route}' must be a function.`)
      routes.push({ route, handler: handler as RouteHandler<never> })
      return router
    },
    async handle(input) {
      let event = input as AnyEvent
      let stale = false
      if (ordering) {
        stale = (await ordering.check(input)).stale
        if (stale) {
          if (ordering.stale === 'skip') return { handled: 0, stale, unrouted: false }
          event = { ...event, stale: true }
        }
      }
      const names = routeNames(event)
      let handled = 0
      for (const { route, handler } of routes) {
        if (!routeMatches(route, names)) continue
        await (handler as RouteHandler<AnyEvent>)(event)
        handled++
      }
      if (handled > 0) return { handled, stale, unrouted: false }
      if (unrouted === 'fail') {
        throw new WebhookError(
          'unrouted_event',
          'no route matches this event type; add a route with router.on(), or pass `unrouted: "ignore"`.',
          { provider: event.provider },
        )
      }
      if (typeof unrouted === 'function') await unrouted(event as E)
      return { handled, stale, unrouted: true }
    },
  }
  return router
}
