import { constantTimeEqual } from './compare.js'
import { derToRawEcdsa } from './der.js'
import { concatBytes } from './encoding.js'
import { publicKeyCache } from './key-cache.js'
import type { CryptoBackend, HashAlgorithm } from './types.js'

type Subtle = SubtleCrypto

// Secrets are turned into bytes once per preset, so the same Uint8Array comes back on every
// delivery; caching the imported key per array saves an importKey per request.
const hmacKeys = new WeakMap<Uint8Array, Map<HashAlgorithm, Promise<CryptoKey>>>()

function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}

/** Web Crypto (`crypto.subtle`) back end: workerd, Vercel Edge, Deno, Bun, browsers. */
export function webCrypto(subtle: Subtle = globalThis.crypto.subtle): CryptoBackend {
  function hmacKey(algorithm: HashAlgorithm, key: Uint8Array): Promise<CryptoKey> {
    let byAlgorithm = hmacKeys.get(key)
    if (!byAlgorithm) {
      byAlgorithm = new Map()
      hmacKeys.set(key, byAlgorithm)
    }
    let imported = byAlgorithm.get(algorithm)
    if (!imported) {
      imported = subtle.importKey('raw', buffer(key), { name: 'HMAC', hash: algorithm }, false, ['sign'])
      byAlgorithm.set(algorithm, imported)
    }
    return imported
  }

  // Public keys by their bytes (see publicKeyCache); a rejected import is forgotten, so that
  // it answers false now and is tried again next time, as before.
  const publicKeys = publicKeyCache<Promise<CryptoKey>>()
  async function publicKey(
    kind: string,
    format: 'raw' | 'spki',
    bytes: Uint8Array,
    algorithm: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams,
  ): Promise<CryptoKey> {
    try {
      return await publicKeys.get(kind, bytes, () =>
        subtle.importKey(format, buffer(bytes), algorithm, false, ['verify']),
      )
    } catch (error) {
      publicKeys.forget(kind, bytes)
      throw error
    }
  }

  return {
    name: 'web',
    async hmac(algorithm, key, data) {
      const signature = await subtle.sign('HMAC', await hmacKey(algorithm, key), buffer(data))
      return new Uint8Array(signature)
    },
    async digest(algorithm, data) {
      return new Uint8Array(await subtle.digest(algorithm, buffer(data)))
    },
    timingSafeEqual: constantTimeEqual,
    async verifyEd25519(publicKeyBytes, signature, data) {
      try {
        const key = await publicKey('ed25519', 'raw', publicKeyBytes, { name: 'Ed25519' })
        return await subtle.verify({ name: 'Ed25519' }, key, buffer(signature), buffer(data))
      } catch {
        return false
      }
    },
    async verifyEcdsaP256(publicKeyBytes, signature, data, prefix) {
      try {
        const raw = signature.length === 64 ? signature : derToRawEcdsa(signature)
        if (!raw) return false
        const key = await publicKey('p256', 'spki', publicKeyBytes, { name: 'ECDSA', namedCurve: 'P-256' })
        // Web Crypto takes one buffer.
        const signed = prefix ? concatBytes(prefix, data) : data
        return await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, buffer(raw), buffer(signed))
      } catch {
        return false
      }
    },
    async verifyRsaPkcs1(algorithm, publicKeyBytes, signature, data) {
      try {
        const key = await publicKey(`rsa-${algorithm}`, 'spki', publicKeyBytes, {
          name: 'RSASSA-PKCS1-v1_5',
          hash: algorithm,
        })
        return await subtle.verify('RSASSA-PKCS1-v1_5', key, buffer(signature), buffer(data))
      } catch {
        return false
      }
    },
  }
}
