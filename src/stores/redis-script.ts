// Internal: one Lua script as the Redis stores run it, loaded once and called by SHA.

/** Sends one Redis command, as `redisStore`'s and `redisOrderingStore`'s `sendCommand`. */
export type RedisSend = (...args: string[]) => Promise<unknown>

/** Runs the script on `keys` with `args`; rejects with the server's error as it came. */
export type RedisScript = (keys: readonly string[], args: readonly string[]) => Promise<unknown>

function isNoScript(error: unknown): boolean {
  return error instanceof Error && /^NOSCRIPT\b/.test(error.message)
}

/**
 * A script loaded with `SCRIPT LOAD` on first use and run with `EVALSHA`. A failed load (the
 * server down) is tried again on the next call. After `NOSCRIPT` it runs once with `EVAL`.
 */
export function redisScript(send: RedisSend, source: string): RedisScript {
  let sha: Promise<string> | undefined
  function load(): Promise<string> {
    if (!sha) {
      const loading = send('SCRIPT', 'LOAD', source).then(String)
      loading.catch(() => {
        if (sha === loading) sha = undefined
      })
      sha = loading
    }
    return sha
  }
  return async (keys, args) => {
    const count = String(keys.length)
    const loaded = await load()
    try {
      return await send('EVALSHA', loaded, count, ...keys, ...args)
    } catch (error) {
      if (!isNoScript(error)) throw error
      // The server lost its script cache (restart, failover, SCRIPT FLUSH, or another cluster
      // node). EVAL runs the script and caches it again, so the SHA stays valid.
      return await send('EVAL', source, count, ...keys, ...args)
    }
  }
}
