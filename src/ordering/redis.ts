import { configInvariant, WebhookStoreError } from '../errors.js'
import { positiveInteger, storageKey } from '../stores/key-internal.js'
import type { RedisStoreOptions } from '../stores/redis.js'
import { advanceResult, type OrderingStore, onceUntilFailure } from './store.js'

/** Options of {@link redisOrderingStore}. */
export interface RedisOrderingStoreOptions {
  /** The same one-command function as `redisStore`'s, e.g. `(...args) => client.sendCommand(args)` for node-redis. */
  sendCommand: RedisStoreOptions['sendCommand']
  /** Put in front of every key. @default 'webhook-inbox:order:' */
  prefix?: string
  /**
   * How long a resource's version is kept after its last event; an event of a resource
   * forgotten this long is taken as fresh.
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
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  configInvariant(positiveInteger(retentionMs), 'redisOrderingStore: `retentionMs` must be a positive integer.')
  const send = options.sendCommand
  const load = onceUntilFailure(() => send('SCRIPT', 'LOAD', ADVANCE).then(String))

  return {
    async advance(resource, version) {
      let reply: unknown
      try {
        const key = prefix + (await storageKey(resource))
        const args = ['1', key, String(version), String(retentionMs)]
        try {
          reply = await send('EVALSHA', await load(), ...args)
        } catch (error) {
          if (!(error instanceof Error && /^NOSCRIPT\b/.test(error.message))) throw error
          reply = await send('EVAL', ADVANCE, ...args)
        }
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
