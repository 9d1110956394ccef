/** Hash algorithms the verifiers use, in Web Crypto spelling. */
export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-512'

/**
 * The one small interface every scheme is written against. Two back ends implement it:
 * `node:crypto` on Node (fast for the 1–10 KB bodies webhooks carry) and Web Crypto elsewhere.
 * Both pass the same known-answer suite.
 */
export interface CryptoBackend {
  readonly name: 'node' | 'web'
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Promise<Uint8Array>
  /**
   * The same HMAC without a promise, where the back end computes it synchronously (`node:crypto`);
   * absent on Web Crypto. Verifiers use it when present to save a promise and a microtask per key.
   * With `prefix`, the HMAC of `prefix` followed by `data`, without copying the two into one buffer.
   */
  hmacSync?(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array, prefix?: Uint8Array): Uint8Array
  digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array>
  /**
   * The digest as lower-case hex, without a promise, where the back end has one (`node:crypto`).
   * Hex straight from the back end: a `Buffer` result turned into hex in JavaScript cost twice
   * as much for the small bodies webhooks carry (1.4 µs against 0.7 µs at 256 B).
   */
  hexDigestSync?(algorithm: HashAlgorithm, data: Uint8Array): string
  /** Constant time for equal lengths; `false` at once for different lengths (lengths are public). */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean
  /** Ed25519 signature check; `false` (never a throw) for a malformed key or signature. */
  verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean>
  /**
   * ECDSA P-256 / SHA-256 check. `publicKey` is SPKI DER, `signature` is DER (as SendGrid sends it)
   * or raw r||s (64 bytes, as JWS uses it). `false` for anything malformed. `prefix`, when given,
   * is what was signed before `data`, as if the two were one buffer: `node:crypto` streams them
   * one after the other into one `Verify` from 32 KiB of `data` (below that it copies them
   * together, which costs less than the `Verify` object); Web Crypto always copies.
   */
  verifyEcdsaP256(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array, prefix?: Uint8Array): Promise<boolean>
  /**
   * RSASSA-PKCS1-v1_5 check. `publicKey` is SPKI DER. `false` for anything malformed.
   */
  verifyRsaPkcs1(
    algorithm: HashAlgorithm,
    publicKey: Uint8Array,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>
}
