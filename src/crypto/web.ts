import { constantTimeEqual } from './compare.js'
import { derToRawEcdsa } from './der.js'
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
    async verifyEd25519(publicKey, signature, data) {
      try {
        const key = await subtle.importKey('raw', buffer(publicKey), { name: 'Ed25519' }, false, ['verify'])
        return await subtle.verify({ name: 'Ed25519' }, key, buffer(signature), buffer(data))
      } catch {
        return false
      }
    },
    async verifyEcdsaP256(publicKey, signature, data) {
      try {
        const raw = signature.length === 64 ? signature : derToRawEcdsa(signature)
        if (!raw) return false
        const key = await subtle.importKey('spki', buffer(publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'verify',
        ])
        return await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, buffer(raw), buffer(data))
      } catch {
        return false
      }
    },
    async verifyRsaPkcs1(algorithm, publicKey, signature, data) {
      try {
        const key = await subtle.importKey(
          'spki',
          buffer(publicKey),
          { name: 'RSASSA-PKCS1-v1_5', hash: algorithm },
          false,
          ['verify'],
        )
        return await subtle.verify('RSASSA-PKCS1-v1_5', key, buffer(signature), buffer(data))
      } catch {
        return false
      }
    },
  }
}
