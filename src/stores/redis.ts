import { configInvariant, WebhookStoreError } from '../errors.js'
import { type ErrorEventSource, newToken, storageKeys, warnWithoutErrorListener } from './key-internal.js'
import { type RedisScript, redisScript } from './redis-script.js'
import type { ClaimResult, DedupeStore } from './types.js'

export type { ErrorEventSource } from './key-internal.js'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Sends one Redis command and resolves with its reply; rejects with the server's error (the
   * store reads `NOSCRIPT` from its message). Wrap your own client in one line:
   * node-redis v4/v5 `(...args) => client.sendCommand(args)`, ioredis
   * `(command, ...args) => client.call(command, ...args)`.
   */
  sendCommand: (...args: string[]) => Promise<unknown>
  /**
   * Put in front of every key, so the store's keys are easy to find and cannot meet yours.
   * @default 'webhook-inbox:'
   */
  prefix?: string
  /**
   * Your node-redis or ioredis client, only to check at setup that it has an `'error'`
   * listener: without one, node-redis ends the process when the connection drops instead of
   * deliveries answering 503. Leave it out to skip the check.
   * @default undefined (not checked)
   */
  client?: ErrorEventSource
  /** Receives the setup warning above. @default console.warn */
  onWarning?: (message: string) => void
}

// One script per operation over all keys of one delivery. Every key of the store carries the
// hash tag `{dedupe}`, so all of them live in one hash slot and a script may touch several of
// them on Redis Cluster. The value holds the state: `p:<token>` while a delivery holds the key,
// `d` once it is done; leases and retention are the keys' expiries.
const CLAIM = `local busy = false
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if value == 'd' then return 'duplicate' end
  if value then busy = true end
end
if busy then return 'in-flight' end
for i = 1, #KEYS do redis.call('SET', KEYS[i], 'p:' .. ARGV[1], 'PX', ARGV[2]) end
return 'claimed'`

const COMPLETE = `for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) ~= 'p:' .. ARGV[1] then return 0 end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], 'd', 'PX', ARGV[2]) end
return 1`

const RELEASE = `for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) ~= 'p:' .. ARGV[1] then return 0 end
end
redis.call('DEL', unpack(KEYS))
return 1`

const HASH_TAG = '{dedupe}:'

function milliseconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)))
}

/**
 * A dedupe store on Redis (or Valkey, KeyDB, Dragonfly), shared by every process that uses the
 * same server. Each operation is one Lua script over all keys of one delivery (`provider:id`, and
 * `provider:sig:…` where the id is not signed): atomic, loaded once with `SCRIPT LOAD` and run
 * with `EVALSHA` (falling back to `EVAL` after `NOSCRIPT`, for example after a failover or
 * `SCRIPT FLUSH`). Leases and retention are Redis expiries, so nothing needs pruning.
 *
 * Redis keys are `prefix` + `{dedupe}:` + the dedupe key. The hash tag `{dedupe}` puts every key
 * of the store in one hash slot, so the scripts work on Redis Cluster (the store's keys then
 * live on one node; a `prefix` holding its own tag, such as `'{github}:'`, picks another slot).
 * Keys are only ever passed as `KEYS[i]`, never put into a pattern, so `*`, `?`, `[` or `:` in an
 * id mean nothing; ids longer than 200 characters, or holding a NUL, are stored under `sha256:` +
 * their hash. The client is yours: `close()` never disconnects it.
 *
 * @example
 * // node-redis v4 / v5
 * import { createClient } from 'redis'
 * import { redisStore } from 'webhook-inbox/redis'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const store = redisStore({ sendCommand: (...args) => client.sendCommand(args) })
 *
 * @example
 * // ioredis
 * import { Redis } from 'ioredis'
 * import { redisStore } from 'webhook-inbox/redis'
 * const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * client.on('error', (error) => console.error('redis:', error.message))
 * const store = redisStore({ sendCommand: (command, ...args) => client.call(command, ...args) })
 */
export function redisStore(options: RedisStoreOptions): DedupeStore {
  configInvariant(
    typeof options?.sendCommand === 'function',
    'redisStore: `sendCommand` is required: a function that sends one command, e.g. `(...args) => client.sendCommand(args)` for node-redis or `(command, ...args) => client.call(command, ...args)` for ioredis.',
  )
  const prefix = options.prefix ?? 'webhook-inbox:'
  configInvariant(
    typeof prefix === 'string' && !prefix.includes('{}'),
    'redisStore: `prefix` must be a string (it may be empty) without an empty hash tag `{}`.',
  )
  const send = options.sendCommand
  warnWithoutErrorListener(
    'redisStore',
    options.client,
    "client.on('error', (error) => console.error('redis:', error.message))",
    options.onWarning,
  )
  const claimScript = redisScript(send, CLAIM)
  const completeScript = redisScript(send, COMPLETE)
  const releaseScript = redisScript(send, RELEASE)

  async function run(
    operation: string,
    script: RedisScript,
    keys: readonly string[],
    args: string[],
  ): Promise<unknown> {
    const redisKeys = (await storageKeys('redisStore', keys)).map((key) => prefix + HASH_TAG + key)
    try {
      return await script(redisKeys, args)
    } catch (error) {
      throw new WebhookStoreError('store_unavailable', `redisStore: ${operation} failed; is Redis reachable?`, {
        cause: error,
      })
    }
  }

  return {
    multiKey: true,
    async claim(keys, { leaseMs }): Promise<ClaimResult> {
      const token = newToken()
      const reply = String(await run('claim', claimScript, keys, [token, milliseconds(leaseMs)]))
      if (reply === 'claimed') return { state: 'claimed', token }
      if (reply === 'duplicate') return { state: 'duplicate' }
      if (reply === 'in-flight') return { state: 'in-flight' }
      throw new WebhookStoreError('store_unavailable', 'redisStore: claim got an unexpected reply from Redis.')
    },
    async complete(keys, token, { retentionMs }) {
      return Number(await run('complete', completeScript, keys, [token, milliseconds(retentionMs)])) === 1
    },
    async release(keys, token) {
      return Number(await run('release', releaseScript, keys, [token])) === 1
    },
    async close() {
      // The client belongs to the caller; there is nothing of ours to free.
    },
  }
}
