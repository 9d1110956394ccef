/** A bounded map from a public key's exact bytes (and what it is imported as) to the imported key. */
export interface PublicKeyCache<V> {
  /** The imported key, importing it with `make` the first time. */
  get(kind: string, key: Uint8Array, make: () => V): V
  /** Forgets a key (an import that failed must be retried, not remembered). */
  forget(kind: string, key: Uint8Array): void
  readonly size: number
}

/**
 * Imported public keys by their exact bytes, so that a scheme checked with the same key on every
 * delivery (Discord's Ed25519 key, SendGrid's P-256 key, a cached certificate) imports it once:
 * `createPublicKey` from SPKI DER costs about 90 µs, twice the P-256 check itself. The whole key
 * is the cache key (no hash, no prefix), so two keys never share an entry and a rotated key is a
 * new one. At most `limit` keys are kept; past it the oldest is dropped.
 */
export function publicKeyCache<V>(limit = 64): PublicKeyCache<V> {
  const entries = new Map<string, V>()
  return {
    get(kind, key, make) {
      const id = `${kind}:${latin1(key)}`
      const found = entries.get(id)
      if (found !== undefined) return found
      const made = make()
      if (entries.size >= limit) entries.delete(entries.keys().next().value as string)
      entries.set(id, made)
      return made
    },
    forget(kind, key) {
      entries.delete(`${kind}:${latin1(key)}`)
    },
    get size() {
      return entries.size
    },
  }
}

function latin1(bytes: Uint8Array): string {
  let out = ''
  // In slices: spreading a long array into fromCharCode passes its argument-count limit.
  for (let at = 0; at < bytes.length; at += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(at, at + 4096) as unknown as number[])
  }
  return out
}
