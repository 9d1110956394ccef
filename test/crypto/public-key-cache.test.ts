// Public keys are imported once per key, not once per verification (issue 16): counted through
// the crypto module and SubtleCrypto each back end is given.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type CryptoBackend, loadNodeCrypto, nodeCrypto, webCrypto } from '../../src/crypto/index.js'

const node = loadNodeCrypto()
if (!node) throw new Error('node:crypto must load through process.getBuiltinModule on Node 20.16+')
const message = new TextEncoder().encode('1700000000{"type":1}')

function ed25519Key() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12))
  return { raw, signature: new Uint8Array(nodeSign(null, message, privateKey)) }
}

function p256Key() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
  return { spki, signature: new Uint8Array(nodeSign('sha256', message, privateKey)) }
}

function rsaKey() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
  return { spki, signature: new Uint8Array(nodeSign('sha256', message, privateKey)) }
}

function countedNode(): { backend: CryptoBackend; imports: () => number } {
  let imports = 0
  const module = {
    ...(node as NonNullable<typeof node>),
    createPublicKey: (key: unknown) => {
      imports++
      return (node as NonNullable<typeof node>).createPublicKey(key)
    },
  }
  return { backend: nodeCrypto(module), imports: () => imports }
}

function countedWeb(): { backend: CryptoBackend; imports: () => number } {
  let imports = 0
  const subtle = globalThis.crypto.subtle
  const counted = Object.create(subtle) as SubtleCrypto
  counted.importKey = ((...args: Parameters<SubtleCrypto['importKey']>) => {
    imports++
    return subtle.importKey(...args)
  }) as SubtleCrypto['importKey']
  counted.verify = subtle.verify.bind(subtle)
  counted.sign = subtle.sign.bind(subtle)
  return { backend: webCrypto(counted), imports: () => imports }
}

describe.each([
  ['node', countedNode],
  ['web', countedWeb],
] as const)('public keys are imported once per key: %s back end', (_name, counted) => {
  it('Ed25519: one import for many checks with a key, a second for a rotated key', async () => {
    const { backend, imports } = counted()
    const first = ed25519Key()
    const rotated = ed25519Key()
    for (let i = 0; i < 5; i++) expect(await backend.verifyEd25519(first.raw, first.signature, message)).toBe(true)
    expect(imports()).toBe(1)
    expect(await backend.verifyEd25519(rotated.raw, first.signature, message)).toBe(false)
    expect(await backend.verifyEd25519(rotated.raw, rotated.signature, message)).toBe(true)
    expect(imports()).toBe(2)
    // A copy of the same bytes is the same key.
    expect(await backend.verifyEd25519(first.raw.slice(), first.signature, message)).toBe(true)
    expect(imports()).toBe(2)
  })

  it('ECDSA P-256: one import per key, and a tampered message still fails with the cached key', async () => {
    const { backend, imports } = counted()
    const key = p256Key()
    for (let i = 0; i < 5; i++) expect(await backend.verifyEcdsaP256(key.spki, key.signature, message)).toBe(true)
    const tampered = message.slice()
    tampered[0] = 0x32
    expect(await backend.verifyEcdsaP256(key.spki, key.signature, tampered)).toBe(false)
    expect(imports()).toBe(1)
  })

  it('RSA PKCS#1: one import per key and hash; a P-256 key is still refused for RSA', async () => {
    const { backend, imports } = counted()
    const key = rsaKey()
    for (let i = 0; i < 3; i++)
      expect(await backend.verifyRsaPkcs1('SHA-256', key.spki, key.signature, message)).toBe(true)
    expect(imports()).toBe(1)
    const ec = p256Key()
    expect(await backend.verifyRsaPkcs1('SHA-256', ec.spki, ec.signature, message)).toBe(false)
    expect(await backend.verifyRsaPkcs1('SHA-256', ec.spki, ec.signature, message)).toBe(false)
    // The same bytes as an ECDSA key are another entry, and work.
    expect(await backend.verifyEcdsaP256(ec.spki, ec.signature, message)).toBe(true)
  })

  it('keeps at most 64 keys: the oldest is imported again after 64 others', async () => {
    const { backend, imports } = counted()
    const keys = Array.from({ length: 65 }, () => {
      const raw = new Uint8Array(32)
      globalThis.crypto.getRandomValues(raw)
      return raw
    })
    const signature = new Uint8Array(64)
    for (const key of keys) await backend.verifyEd25519(key, signature, message)
    const afterFill = imports()
    await backend.verifyEd25519(keys[64] as Uint8Array, signature, message)
    expect(imports()).toBe(afterFill)
    await backend.verifyEd25519(keys[0] as Uint8Array, signature, message)
    expect(imports()).toBe(afterFill + 1)
  })

  it('a key that does not import answers false each time and is not remembered as valid', async () => {
    const { backend } = counted()
    const garbage = new Uint8Array(91).fill(7)
    const key = p256Key()
    expect(await backend.verifyEcdsaP256(garbage, key.signature, message)).toBe(false)
    expect(await backend.verifyEcdsaP256(garbage, key.signature, message)).toBe(false)
    expect(await backend.verifyEcdsaP256(key.spki, key.signature, message)).toBe(true)
  })
})
