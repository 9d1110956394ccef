import {
  createHash,
  createHmac,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  type CryptoBackend,
  constantTimeEqual,
  derToRawEcdsa,
  fromBase64,
  fromHex,
  getCrypto,
  loadNodeCrypto,
  nodeCrypto,
  toBase64,
  toBase64Url,
  toHex,
  webCrypto,
} from '../../src/crypto/index.js'

const node = loadNodeCrypto()
if (!node) throw new Error('node:crypto must load through process.getBuiltinModule on Node 20.16+')
// Also node:crypto without the one-shot `hash` (Node before 20.12), which digests through a Hash object.
const withoutOneShotHash = nodeCrypto({ ...node, hash: undefined })
const backends: CryptoBackend[] = [nodeCrypto(node), withoutOneShotHash, webCrypto()]

const enc = (text: string) => new TextEncoder().encode(text)

// RFC 4231 test case 2 and RFC 2202 test case 2 (key "Jefe").
const RFC_MESSAGE = 'what do ya want for nothing?'
const RFC = {
  'SHA-1': 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  'SHA-256': '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  'SHA-512':
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
} as const

describe.each(backends.map((b) => [b.name, b] as const))('crypto back end: %s', (_name, crypto) => {
  it('computes RFC 2202 / RFC 4231 HMAC known answers', async () => {
    for (const [algorithm, expected] of Object.entries(RFC)) {
      const mac = await crypto.hmac(algorithm as keyof typeof RFC, enc('Jefe'), enc(RFC_MESSAGE))
      expect(toHex(mac)).toBe(expected)
    }
  })

  it('agrees with node:crypto on random keys and messages, including offset views', async () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(1 + i * 7)
      const padded = randomBytes(300 + i * 50)
      const message = new Uint8Array(padded.buffer, padded.byteOffset + 3, padded.length - 10)
      const expected = createHmac('sha256', key).update(message).digest('hex')
      expect(toHex(await crypto.hmac('SHA-256', new Uint8Array(key), message))).toBe(expected)
      expect(toHex(await crypto.digest('SHA-256', message))).toBe(createHash('sha256').update(message).digest('hex'))
    }
  })

  it('gives the same digest in hex without a promise where it has a synchronous hash', async () => {
    if (!crypto.hexDigestSync) {
      expect(crypto.name).toBe('web')
      return
    }
    for (let i = 0; i < 20; i++) {
      const padded = randomBytes(1 + i * 97)
      const message = new Uint8Array(padded.buffer, padded.byteOffset + 1, padded.length - 1)
      for (const [algorithm, name] of [
        ['SHA-1', 'sha1'],
        ['SHA-256', 'sha256'],
        ['SHA-512', 'sha512'],
      ] as const) {
        const hex = crypto.hexDigestSync(algorithm, message)
        expect(hex).toBe(createHash(name).update(message).digest('hex'))
        expect(hex).toBe(toHex(await crypto.digest(algorithm, message)))
      }
    }
  })

  it('computes SHA-256 of "abc" (FIPS 180-2)', async () => {
    expect(toHex(await crypto.digest('SHA-256', enc('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('compares in constant time, correctly for views with an offset', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9, 1, 2, 3, 9])
    const a = backing.subarray(1, 4)
    const b = backing.subarray(5, 8)
    expect(crypto.timingSafeEqual(a, b)).toBe(true)
    expect(crypto.timingSafeEqual(a, backing.subarray(0, 3))).toBe(false)
    expect(crypto.timingSafeEqual(a, new Uint8Array([1, 2]))).toBe(false)
    expect(crypto.timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })

  it('verifies Ed25519 and rejects a wrong signature or a malformed key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32))
    const data = enc('1700000000{"type":1}')
    const signature = new Uint8Array(nodeSign(null, data, privateKey))
    expect(await crypto.verifyEd25519(raw, signature, data)).toBe(true)
    expect(await crypto.verifyEd25519(raw, signature, enc('1700000000{"type":2}'))).toBe(false)
    expect(await crypto.verifyEd25519(raw.subarray(1), signature, data)).toBe(false)
    expect(await crypto.verifyEd25519(raw, signature.subarray(1), data)).toBe(false)
  })

  it('verifies ECDSA P-256 with DER and raw signatures', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const data = enc('1600112502[{"event":"dropped"}]\r\n')
    const der = new Uint8Array(nodeSign('sha256', data, privateKey))
    const raw = new Uint8Array(nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))
    expect(await crypto.verifyEcdsaP256(spki, der, data)).toBe(true)
    expect(await crypto.verifyEcdsaP256(spki, raw, data)).toBe(true)
    expect(await crypto.verifyEcdsaP256(spki, der, enc('tampered'))).toBe(false)
    expect(await crypto.verifyEcdsaP256(spki.subarray(2), der, data)).toBe(false)
    expect(await crypto.verifyEcdsaP256(spki, new Uint8Array([0x30, 0x02, 0x02, 0x00]), data)).toBe(false)
  })

  it('verifies ECDSA P-256 over a prefix and data as if they were one buffer, on views with offsets', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const whole = enc('xx1600112502[{"event":"dropped"}]\r\nyy').subarray(2, -2)
    const der = new Uint8Array(nodeSign('sha256', whole, privateKey))
    const raw = new Uint8Array(nodeSign('sha256', whole, { key: privateKey, dsaEncoding: 'ieee-p1363' }))
    for (const split of [0, 1, 10, whole.length]) {
      const [prefix, data] = [whole.subarray(0, split), whole.subarray(split)]
      expect(await crypto.verifyEcdsaP256(spki, der, data, prefix), `split ${split}`).toBe(true)
      expect(await crypto.verifyEcdsaP256(spki, raw, data, prefix), `split ${split}`).toBe(true)
    }
    // The prefix is signed too: another one, or none, does not verify.
    expect(await crypto.verifyEcdsaP256(spki, der, whole.subarray(10), enc('1600112503'))).toBe(false)
    expect(await crypto.verifyEcdsaP256(spki, der, whole.subarray(10))).toBe(false)
    expect(await crypto.verifyEcdsaP256(spki, der, whole.subarray(10), whole.subarray(0, 9))).toBe(false)
  })

  it('verifies ECDSA P-256 over a prefix and a body large enough to be streamed (node:crypto from 32 KiB)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const prefix = enc('1600112502')
    const body = enc(`[${'{"event":"delivered"},'.repeat(3000)}{}]`)
    expect(body.length).toBeGreaterThan(64 * 1024)
    const whole = new Uint8Array([...prefix, ...body])
    const der = new Uint8Array(nodeSign('sha256', whole, privateKey))
    expect(await crypto.verifyEcdsaP256(spki, der, body, prefix)).toBe(true)
    expect(await crypto.verifyEcdsaP256(spki, der, whole)).toBe(true)
    const tampered = body.slice()
    tampered[body.length - 5] = (tampered[body.length - 5] as number) ^ 1
    expect(await crypto.verifyEcdsaP256(spki, der, tampered, prefix)).toBe(false)
    expect(await crypto.verifyEcdsaP256(spki, der, body, enc('1600112503'))).toBe(false)
  })

  it('verifies the SendGrid known-answer ECDSA vector', async () => {
    const key = fromBase64(
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==',
    ) as Uint8Array
    const payload =
      '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n'
    const signature = fromBase64(
      'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
    ) as Uint8Array
    expect(await crypto.verifyEcdsaP256(key, signature, enc(`1600112502${payload}`))).toBe(true)
    expect(await crypto.verifyEcdsaP256(key, signature, enc(`1600112503${payload}`))).toBe(false)
  })

  it('verifies RSASSA-PKCS1-v1_5 with SHA-1 and SHA-256', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const data = enc('Message\nhello\nMessageId\n1\n')
    for (const [name, hash] of [
      ['SHA-1', 'sha1'],
      ['SHA-256', 'sha256'],
    ] as const) {
      const signature = new Uint8Array(nodeSign(hash, data, privateKey))
      expect(await crypto.verifyRsaPkcs1(name, spki, signature, data)).toBe(true)
      expect(await crypto.verifyRsaPkcs1(name, spki, signature, enc('other'))).toBe(false)
      expect(await crypto.verifyRsaPkcs1(name, spki.subarray(3), signature, data)).toBe(false)
    }
  })

  it('checks only the key type its name promises (P-256 for ECDSA, PKCS#1 v1.5 RSA)', async () => {
    const data = enc('Message\nhello\n')
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    const p384Spki = new Uint8Array(p384.publicKey.export({ format: 'der', type: 'spki' }))
    expect(
      await crypto.verifyEcdsaP256(p384Spki, new Uint8Array(nodeSign('sha256', data, p384.privateKey)), data),
    ).toBe(false)
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const p256Spki = new Uint8Array(p256.publicKey.export({ format: 'der', type: 'spki' }))
    const ecdsa = new Uint8Array(nodeSign('sha256', data, p256.privateKey))
    expect(await crypto.verifyEcdsaP256(p256Spki, ecdsa, data)).toBe(true)
    expect(await crypto.verifyRsaPkcs1('SHA-256', p256Spki, ecdsa, data)).toBe(false)
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
    const pssSpki = new Uint8Array(pss.publicKey.export({ format: 'der', type: 'spki' }))
    expect(
      await crypto.verifyRsaPkcs1('SHA-256', pssSpki, new Uint8Array(nodeSign('sha256', data, pss.privateKey)), data),
    ).toBe(false)
  })
})

describe('back-end selection', () => {
  it('uses node:crypto on Node', () => {
    expect(getCrypto().name).toBe('node')
  })
})

describe('encodings without Buffer', () => {
  it('round-trips hex, base64 and base64url and agrees with Buffer', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length))
      const buffer = Buffer.from(bytes)
      expect(toHex(bytes)).toBe(buffer.toString('hex'))
      expect(toBase64(bytes)).toBe(buffer.toString('base64'))
      expect(toBase64Url(bytes)).toBe(buffer.toString('base64url'))
      expect(fromHex(toHex(bytes))).toEqual(bytes)
      expect(fromBase64(toBase64(bytes))).toEqual(bytes)
      expect(fromBase64(toBase64Url(bytes))).toEqual(bytes)
    }
  })

  it('rejects malformed input instead of guessing', () => {
    expect(fromHex('abc')).toBeUndefined()
    expect(fromHex('zz')).toBeUndefined()
    expect(fromHex('0g')).toBeUndefined()
    expect(fromBase64('a')).toBeUndefined()
    expect(fromBase64('ab=c')).toBeUndefined()
    expect(fromBase64('ab===')).toBeUndefined()
    expect(fromBase64('a b=')).toBeUndefined()
    expect(fromBase64('QR==')).toBeUndefined() // non-zero trailing bits: not canonical
    expect(fromBase64('QQ==')).toEqual(new Uint8Array([65]))
    expect(fromHex('ABcd')).toEqual(new Uint8Array([0xab, 0xcd]))
  })

  it('constantTimeEqual handles length mismatch and offsets', () => {
    const backing = new Uint8Array([0, 5, 6, 0, 5, 6])
    expect(constantTimeEqual(backing.subarray(1, 3), backing.subarray(4, 6))).toBe(true)
    expect(constantTimeEqual(backing.subarray(0, 3), backing.subarray(3, 5))).toBe(false)
  })

  it('converts DER ECDSA signatures to raw r||s and refuses junk', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    // 50 signatures hit r or s with a high bit (33-byte DER integers) and short ones (< 32 bytes) too.
    for (let i = 0; i < 50; i++) {
      const data = randomBytes(32)
      const der = new Uint8Array(nodeSign('sha256', data, privateKey))
      const converted = derToRawEcdsa(der)
      expect(converted?.length).toBe(64)
      expect(nodeVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, converted as Uint8Array)).toBe(
        true,
      )
    }
    expect(derToRawEcdsa(new Uint8Array([0x31, 0]))).toBeUndefined()
    expect(derToRawEcdsa(new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]))).toBeUndefined()
  })
})
