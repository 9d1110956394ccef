import { configInvariant, WebhookStoreError } from '../errors.js'
import { newToken, storageKey } from './key-internal.js'
import type { ClaimResult, DedupeStore } from './types.js'

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
}

interface Script {
  readonly source: string
  sha?: Promise<string>
}

// One script per operation, each touching exactly KEYS[1], so the store works on Redis Cluster.
// The value holds the state: `p:<token>` while a delivery holds the id, `d` once it is done.
// A plain `SET NX PX` cannot tell `duplicate` from `in-flight` in one round trip.
const CLAIM = `if redis.call('SET', KEYS[1], 'p:' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
if redis.call('GET', KEYS[1]) == 'd' then return 'duplicate' end
return 'in-flight'`

const COMPLETE = `if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then
  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
  return 1
end
return 0`

const RELEASE = `if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`

function milliseconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)))
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && /^NOSCRIPT\b/.test(error.message)
}

/**
 * A dedupe store on Redis (or Valkey, KeyDB, Dragonfly), shared by every process that uses the
 * same server. Each operation is one Lua script on one key: atomic, Redis Cluster safe, loaded
 * once with `SCRIPT LOAD` and run with `EVALSHA` (falling back to `EVAL` after `NOSCRIPT`, for
 * example after a failover or `SCRIPT FLUSH`). Leases and retention are Redis expiries, so
 * nothing needs pruning.
 *
 * Keys are `prefix` + the dedupe key (`provider:id`). The key is only ever passed as `KEYS[1]`,
 * never put into a pattern, so `*`, `?`, `[` or `:` in an id mean nothing; ids longer than 200
 * characters, or holding a NUL, are stored under `sha256:` + their hash. The client is yours:
 * `close()` never disconnects it.
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
 * const client = new Redis(process.env.REDIS_URL)
 * const store = redisStore({ sendCommand: (command, ...args) => client.call(command, ...args) })
 */
export function redisStore(options: RedisStoreOptions): DedupeStore {
  configInvariant(
    typeof options?.sendCommand === 'function',
    'redisStore: `sendCommand` is required: a function that sends one command, e.g. `(...args) => client.sendCommand(args)` for node-redis or `(command, ...args) => client.call(command, ...args)` for ioredis.',
  )
  const prefix = options.prefix ?? 'webhook-inbox:'
  configInvariant(typeof prefix === 'string', 'redisStore: `prefix` must be a string (it may be empty).')
  const send = options.sendCommand
  const claimScript: Script = { source: CLAIM }
  const completeScript: Script = { source: COMPLETE }
  const releaseScript: Script = { source: RELEASE }

  function load(script: Script): Promise<string> {
    if (!script.sha) {
      const sha = send('SCRIPT', 'LOAD', script.source).then(String)
      // A failed load (server down) is tried again on the next call.
      sha.catch(() => {
        if (script.sha === sha) script.sha = undefined
      })
      script.sha = sha
    }
    return script.sha
  }

  async function run(operation: string, script: Script, key: string, args: string[]): Promise<unknown> {
    try {
      const redisKey = prefix + (await storageKey(key))
      const sha = await load(script)
      try {
        return await send('EVALSHA', sha, '1', redisKey, ...args)
      } catch (error) {
        if (!isNoScript(error)) throw error
        // The server lost its script cache (restart, failover, SCRIPT FLUSH, or another
        // cluster node). EVAL runs the script and caches it again, so the SHA stays valid.
        return await send('EVAL', script.source, '1', redisKey, ...args)
      }
    } catch (error) {
      throw new WebhookStoreError('store_unavailable', `redisStore: ${operation} failed; is Redis reachable?`, {
        cause: error,
      })
    }
  }

  return {
    async claim(key, { leaseMs }): Promise<ClaimResult> {
      const token = newToken()
      const reply = String(await run('claim', claimScript, key, [token, milliseconds(leaseMs)]))
      if (reply === 'claimed') return { state: 'claimed', token }
      if (reply === 'duplicate') return { state: 'duplicate' }
      if (reply === 'in-flight') return { state: 'in-flight' }
      throw new WebhookStoreError('store_unavailable', 'redisStore: claim got an unexpected reply from Redis.')
    },
    async complete(key, token, { retentionMs }) {
      return Number(await run('complete', completeScript, key, [token, milliseconds(retentionMs)])) === 1
    },
    async release(key, token) {
      return Number(await run('release', releaseScript, key, [token])) === 1
    },
    async close() {
      // The client belongs to the caller; there is nothing of ours to free.
    },
  }
}
