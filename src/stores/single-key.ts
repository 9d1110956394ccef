import type { ClaimResult, DedupeStore, SingleKeyDedupeStore } from './types.js'

// The claim's token records each key with the token the wrapped store gave it, so `complete`
// and `release` of any other key set are refused before anything changes.
function tokens(token: string, keys: readonly string[]): string[] | undefined {
  try {
    const pairs = JSON.parse(token) as unknown
    if (!Array.isArray(pairs) || pairs.length !== keys.length) return undefined
    const list: string[] = []
    for (const [i, pair] of pairs.entries()) {
      if (!Array.isArray(pair) || pair[0] !== keys[i] || typeof pair[1] !== 'string') return undefined
      list.push(pair[1])
    }
    return list
  } catch {
    return undefined
  }
}

/**
 * Adapts a store written for the one-key contract (`claim(key: string, ...)`) to the
 * several-keys {@link DedupeStore}. It claims the keys one after the other and, when one is a
 * duplicate or in flight, releases those it took and answers `duplicate` if any key was one,
 * else `in-flight`; `complete` and
 * `release` go key by key. Each key stays atomic in your store, but the set is not: two
 * deliveries that share a key can both be answered `in-flight` for one lease (the provider
 * retries), and a `complete` that fails midway leaves the keys it did not reach to their lease.
 * Upgrade the store to `claim(keys[])` when you can; the handler wraps a store without
 * `multiKey: true` with this function by itself, and warns once.
 *
 * @example
 * import { createWebhookHandler, singleKeyStore } from 'webhook-inbox'
 * const handler = createWebhookHandler({ provider, enqueue, store: singleKeyStore(myOldStore) })
 */
export function singleKeyStore(store: SingleKeyDedupeStore): DedupeStore {
  return {
    multiKey: true,
    async claim(keys, options): Promise<ClaimResult> {
      const held: [string, string][] = []
      let refused: ClaimResult | undefined
      for (const key of keys) {
        const result = await store.claim(key, options)
        if (result.state === 'claimed') held.push([key, result.token])
        else if (result.state === 'duplicate') {
          refused = result
          break
        } else refused = result
      }
      if (!refused) return { state: 'claimed', token: JSON.stringify(held) }
      await Promise.all(held.map(([key, token]) => store.release(key, token)))
      return refused
    },
    async complete(keys, token, options) {
      const list = tokens(token, keys)
      if (!list) return false
      let all = true
      for (const [i, key] of keys.entries()) all = (await store.complete(key, list[i] as string, options)) && all
      return all
    },
    async release(keys, token) {
      const list = tokens(token, keys)
      if (!list) return false
      let all = true
      for (const [i, key] of keys.entries()) all = (await store.release(key, list[i] as string)) && all
      return all
    },
    async close() {
      await store.close?.()
    },
  }
}
