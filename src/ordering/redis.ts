import { configInvariant, WebhookStoreError } from '../errors.js'
import { positiveInteger, storageKey } from '../stores/key-internal.js'
import type { RedisStoreOptions } from '../stores/redis.js'
import { redisScript } from '../stores/redis-script.js'
import { advanceResult, DEFAULT_ORDERING_RETENTION_MS, type OrderingStore } from './store.js'

/** Options of {@link redisOrderingStore}. */
export interface RedisOrderingStoreOptions {
  /** The same one-command function as `redisStore`'s, e.g. `(...args) => client.sendCommand(args)` for node-redis. */
  sendCommand: RedisStoreOptions['sendCommand']
  /** Put in front of every key. @default 'webhook-inbox:order:' */
  prefix?: string
  /**
   * How long a resource's version is kept after the last event that recorded it (a key expiry,
   * so nothing needs pruning); after it the resource's next event, however old, is taken as new.
   * @default 2592000000 (30 days)
   */
  retentionMs?: number
}

// One key per resource (KEYS[1] only, so Redis Cluster works). Lua numbers are doubles, like
// JavaScript's, so versions compare the same on both sides.
const ADVANCE = `local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(ARGV[1]) then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`

/**
 * An ordering store on Redis: the highest version per resource, advanced by one Lua script
 * (compare and set in one step, atomic across processes), expiring `retentionMs` after the
 * resource's last event. Uses `EVALSHA`, falling back to `EVAL` after `NOSCRIPT`.
 *
 * @example
 * import { createClient } from 'redis'
 * import { createOrderingGuard, redisOrderingStore } from 'webhook-inbox/ordering'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const guard = createOrderingGuard({ store: redisOrderingStore({ sendCommand: (...args) => client.sendCommand(args) }) })
 */
export function redisOrderingStore(options: RedisOrderingStoreOptions): OrderingStore {
  configInvariant(
    typeof options?.sendCommand === 'function',
    'redisOrderingStore: `sendCommand` is required, e.g. `(...args) => client.sendCommand(args)` for node-redis or `(command, ...args) => client.call(command, ...args)` for ioredis.',
  )
  const prefix = options.prefix ?? 'webhook-inbox:order:'
  configInvariant(typeof prefix === 'string', 'redisOrderingStore: `prefix` must be a string.')
  const retentionMs = options.retentionMs ?? DEFAULT_ORDERING_RETENTION_MS
  configInvariant(positiveInteger(retentionMs), 'redisOrderingStore: `retentionMs` must be a positive integer.')
  const advance = redisScript(options.sendCommand, ADVANCE)

  return {
    async advance(resource, version) {
      let reply: unknown
      try {
        const key = prefix + (await storageKey(resource))
        reply = await advance([key], [String(version), String(retentionMs)])
      } catch (error) {
        throw new WebhookStoreError('store_unavailable', 'redisOrderingStore: advance failed; is Redis reachable?', {
          cause: error,
        })
      }
      return advanceResult(reply, version, 'redisOrderingStore')
    },
    async close() {
      // The client belongs to the caller.
    },
  }
}
