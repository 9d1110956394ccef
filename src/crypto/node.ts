import { concatBytes, toBase64Url } from './encoding.js'
import { publicKeyCache } from './key-cache.js'
import type { CryptoBackend, HashAlgorithm } from './types.js'

// Typed structurally so that this file has no static `node:` import: the built core must load
// on runtimes without Node's built-ins (a test greps dist/ for `node:`).
interface NodeBuffer extends Uint8Array {}
interface NodeKeyObject {
  readonly type: string
  readonly asymmetricKeyType?: string
  readonly asymmetricKeyDetails?: { readonly namedCurve?: string }
}
interface NodeHmac {
  update(data: Uint8Array): NodeHmac
  digest(): NodeBuffer
}
interface NodeCryptoModule {
  createHmac(algorithm: string, key: Uint8Array): NodeHmac
  createHash(algorithm: string): { update(data: Uint8Array): { digest(encoding?: 'hex'): NodeBuffer | string } }
  /** One-shot hash (Node 20.12+, 21.7+): no Hash object per call. */
  hash?(algorithm: string, data: Uint8Array, outputEncoding: 'buffer' | 'hex'): NodeBuffer | string
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean
  createPublicKey(key: unknown): NodeKeyObject
  verify(algorithm: string | null, data: Uint8Array, key: unknown, signature: Uint8Array): boolean
  createVerify(algorithm: string): NodeVerify
}
interface NodeVerify {
  update(data: Uint8Array): NodeVerify
  verify(key: unknown, signature: Uint8Array): boolean
}

// From this body size an ECDSA check streams the prefix and the body instead of joining them.
const STREAM_FROM_BYTES = 32 * 1024

const NAMES: Record<HashAlgorithm, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-512': 'sha512' }

/** Loads `node:crypto` at run time, or `undefined` where the runtime has no `getBuiltinModule`. */
export function loadNodeCrypto(): NodeCryptoModule | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const getBuiltinModule = processLike?.getBuiltinModule
  if (typeof getBuiltinModule !== 'function') return undefined
  try {
    return (getBuiltinModule.call(processLike, 'node:crypto') as NodeCryptoModule | undefined) ?? undefined
  } catch {
    return undefined
  }
}

/**
 * `node:crypto` back end. On Node 20, Web Crypto HMAC costs about 15× more per call for
 * 256 B–2 KB messages (DESIGN.md, measured), and most webhooks are that size.
 */
export function nodeCrypto(crypto: NodeCryptoModule): CryptoBackend {
  // Each key with whether verify() may use it for this scheme (asymmetricKeyDetails is a getter
  // that calls into C++ each time). A key that does not import throws here and is not kept.
  const keys = publicKeyCache<{ key: NodeKeyObject; usable: boolean }>()
  const spki = (kind: string, publicKey: Uint8Array, usable: (key: NodeKeyObject) => boolean) =>
    keys.get(kind, publicKey, () => {
      const key = crypto.createPublicKey({ key: publicKey, format: 'der', type: 'spki' })
      return { key, usable: usable(key) }
    })
  const hash = crypto.hash
  // The one-shot hash where Node has it, else a Hash object; bytes or hex straight from Node.
  const digestAs = (algorithm: HashAlgorithm, data: Uint8Array, encoding: 'buffer' | 'hex') => {
    if (hash) return hash.call(crypto, NAMES[algorithm], data, encoding)
    const digest = crypto.createHash(NAMES[algorithm]).update(data)
    return encoding === 'hex' ? digest.digest('hex') : digest.digest()
  }
  return {
    name: 'node',
    async hmac(algorithm, key, data) {
      return crypto.createHmac(NAMES[algorithm], key).update(data).digest()
    },
    hmacSync(algorithm, key, data, prefix) {
      const mac = crypto.createHmac(NAMES[algorithm], key)
      if (prefix) mac.update(prefix)
      return mac.update(data).digest()
    },
    async digest(algorithm, data) {
      return digestAs(algorithm, data, 'buffer') as NodeBuffer
    },
    hexDigestSync: (algorithm, data) => digestAs(algorithm, data, 'hex') as string,
    timingSafeEqual(a, b) {
      return a.length === b.length && crypto.timingSafeEqual(a, b)
    },
    async verifyEd25519(publicKey, signature, data) {
      try {
        if (publicKey.length !== 32 || signature.length !== 64) return false
        const { key } = keys.get('ed25519', publicKey, () => ({
          key: crypto.createPublicKey({
            key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) },
            format: 'jwk',
          }),
          usable: true,
        }))
        return crypto.verify(null, data, key, signature)
      } catch {
        return false
      }
    },
    async verifyEcdsaP256(publicKey, signature, data, prefix) {
      try {
        // createPublicKey takes any SPKI and verify() follows the key's own type; Web Crypto
        // refuses every key but P-256 here, and both back ends must answer alike.
        const { key, usable } = spki(
          'p256',
          publicKey,
          (key) => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
        )
        if (!usable) return false
        const dsaEncoding = signature.length === 64 ? 'ieee-p1363' : 'der'
        if (!prefix) return crypto.verify('sha256', data, { key, dsaEncoding }, signature)
        // A large body is streamed after the prefix rather than copied behind it (a 1 MB SendGrid
        // batch 1.22 → 0.87–0.93 ms); below STREAM_FROM_BYTES the Verify object costs more than the copy.
        if (data.length >= STREAM_FROM_BYTES) {
          return crypto.createVerify('sha256').update(prefix).update(data).verify({ key, dsaEncoding }, signature)
        }
        return crypto.verify('sha256', concatBytes(prefix, data), { key, dsaEncoding }, signature)
      } catch {
        return false
      }
    },
    async verifyRsaPkcs1(algorithm, publicKey, signature, data) {
      try {
        // An EC or RSA-PSS key would make verify() check ECDSA or PSS instead of PKCS#1 v1.5.
        const { key, usable } = spki('rsa', publicKey, (key) => key.asymmetricKeyType === 'rsa')
        if (!usable) return false
        return crypto.verify(NAMES[algorithm], data, key, signature)
      } catch {
        return false
      }
    },
  }
}
