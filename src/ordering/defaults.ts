import type { WebhookEvent } from '../types.js'

/** Where an event's resource and version come from. Both read only the signed payload. */
export interface OrderingRule<E = WebhookEvent> {
  /** The resource the event describes (`in_1Nv…`), or `undefined` to let the event through unguarded. */
  resource(event: E): string | undefined
  /** Its version, a finite number that grows with each change, or `undefined` to let it through unguarded. */
  version(event: E): number | undefined
}

type Json = Record<string, unknown>

function field(value: unknown, path: string): unknown {
  let current = value
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    current = (current as Json)[part]
  }
  return current
}

function text(value: unknown, path: string): string | undefined {
  const found = field(value, path)
  if (typeof found === 'string' && found !== '') return found
  if (typeof found === 'number' && Number.isFinite(found)) return String(found)
  return undefined
}

function count(value: unknown, path: string): number | undefined {
  const found = field(value, path)
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d+))?(?:Z|[+-]\d{2}:?\d{2})$/

/**
 * An ISO 8601 time as epoch milliseconds, keeping digits past the millisecond (Paddle sends
 * microseconds) as a fraction, so two changes in one millisecond still order.
 *
 * @example
 * import { createOrderingGuard, isoVersion, memoryOrderingStore } from 'webhook-inbox/ordering'
 * const guard = createOrderingGuard({
 *   store: memoryOrderingStore(),
 *   resource: (event) => (event.payload as { sku: string }).sku,
 *   version: (event) => isoVersion((event.payload as { modified: string }).modified),
 * })
 */
export function isoVersion(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = ISO.exec(value)
  if (!match) return undefined
  const ms = Date.parse(value)
  if (!Number.isFinite(ms)) return undefined
  const extra = (match[1] ?? '').slice(3, 9)
  return extra === '' ? ms : ms + Number(extra) / 10 ** extra.length
}

// GitHub: the object the event is about, most specific first. Each has an `id` and an
// `updated_at` in the signed body; the X-GitHub-Event header is not signed and is not read.
const GITHUB_OBJECTS = [
  'comment',
  'review',
  'pull_request',
  'issue',
  'discussion',
  'release',
  'milestone',
  'check_run',
  'check_suite',
  'workflow_run',
  'deployment',
] as const

function githubObject(payload: unknown): { kind: string; value: unknown } | undefined {
  for (const kind of GITHUB_OBJECTS) {
    const value = field(payload, kind)
    if (value !== null && typeof value === 'object' && text(value, 'id') && isoVersion(field(value, 'updated_at'))) {
      return { kind, value }
    }
  }
  return undefined
}

/**
 * The ordering rule of each preset whose signed body says which resource an event describes and
 * when it changed. Keyed by preset name. Providers not listed have no default: pass `resource`
 * and `version` to `createOrderingGuard`.
 *
 * - stripe: `data.object.id`, the event's `created` (seconds; events in the same second tie and
 *   both pass)
 * - github: the `comment`, `review`, `pull_request`, `issue`, `discussion`, `release`,
 *   `milestone`, `check_run`, `check_suite`, `workflow_run` or `deployment` object's `id` and
 *   `updated_at`
 * - shopify: the body's `admin_graphql_api_id` (else `id`) and `updated_at`; never the unsigned
 *   `X-Shopify-Triggered-At` header
 * - paddle: `data.id` and `occurred_at` (microseconds kept)
 * - linear: the body's `type` with `data.id`, and `data.updatedAt`
 * - lemon-squeezy: `data.type` with `data.id`, and `data.attributes.updated_at`
 * - paypal: `resource.id` and `resource.update_time`
 * - clerk: `data.id` and `data.updated_at` (epoch milliseconds)
 *
 * @example
 * import type { WebhookEvent } from 'webhook-inbox'
 * import { ORDERING_DEFAULTS } from 'webhook-inbox/ordering'
 * const resourceOf = (event: WebhookEvent) => ORDERING_DEFAULTS.stripe?.resource(event) // 'in_1Nv…'
 */
export const ORDERING_DEFAULTS: Readonly<Record<string, OrderingRule>> = Object.freeze({
  stripe: {
    resource: (event) => text(event.payload, 'data.object.id'),
    version: (event) => count(event.payload, 'created'),
  },
  github: {
    resource: (event) => {
      const found = githubObject(event.payload)
      return found && `${found.kind}:${text(found.value, 'id')}`
    },
    version: (event) => {
      const found = githubObject(event.payload)
      return found && isoVersion(field(found.value, 'updated_at'))
    },
  },
  shopify: {
    resource: (event) => text(event.payload, 'admin_graphql_api_id') ?? text(event.payload, 'id'),
    version: (event) => isoVersion(field(event.payload, 'updated_at')),
  },
  paddle: {
    resource: (event) => text(event.payload, 'data.id'),
    version: (event) => isoVersion(field(event.payload, 'occurred_at')),
  },
  linear: {
    resource: (event) => {
      const id = text(event.payload, 'data.id')
      return id && `${text(event.payload, 'type') ?? ''}:${id}`
    },
    version: (event) => isoVersion(field(event.payload, 'data.updatedAt')),
  },
  'lemon-squeezy': {
    resource: (event) => {
      const id = text(event.payload, 'data.id')
      return id && `${text(event.payload, 'data.type') ?? ''}:${id}`
    },
    version: (event) => isoVersion(field(event.payload, 'data.attributes.updated_at')),
  },
  paypal: {
    resource: (event) => text(event.payload, 'resource.id'),
    version: (event) => isoVersion(field(event.payload, 'resource.update_time')),
  },
  clerk: {
    resource: (event) => text(event.payload, 'data.id'),
    version: (event) => count(event.payload, 'data.updated_at'),
  },
} satisfies Record<string, OrderingRule>)
