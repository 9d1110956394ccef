// decodeSignature checks the canonical form on the text (issue 16: no re-encoding of the decoded
// bytes per verification); it must accept exactly what re-encoding accepted.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, fromHex, toBase64, toBase64Url, toHex } from '../../src/crypto/encoding.js'
import { decodeSignature, type SignatureEncoding, secretList } from '../../src/verifiers/shared.js'

function byReencoding(text: string, encoding: SignatureEncoding): Uint8Array | undefined {
  if (text.length === 0) return undefined
  const bytes = encoding === 'hex' ? fromHex(text) : fromBase64(text)
  const again =
    bytes && (encoding === 'hex' ? toHex(bytes) : encoding === 'base64' ? toBase64(bytes) : toBase64Url(bytes))
  return bytes && again === text ? bytes : undefined
}

// Non-ASCII look-alikes too (an Arabic-Indic zero, a fullwidth zero, an accented letter).
const chars = [...'0123456789abcdefABCDEF+/=-_ xyz%\u0660\uff10é']

describe('decodeSignature', () => {
  for (const encoding of ['hex', 'base64', 'base64url'] as const) {
    it(`accepts exactly the canonical ${encoding} (property against re-encoding)`, () => {
      const text = fc.oneof(
        fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((list) => list.join('')),
        fc.uint8Array({ maxLength: 40 }).chain((bytes) => {
          const canonical =
            encoding === 'hex' ? toHex(bytes) : encoding === 'base64' ? toBase64(bytes) : toBase64Url(bytes)
          return fc.oneof(
            fc.constant(canonical),
            fc.constant(canonical.toUpperCase()),
            fc.constant(canonical.replace(/=+$/, '')),
            fc.constant(`${canonical}=`),
            fc.nat({ max: 64 }).map((at) => canonical.slice(0, at)),
            fc.constantFrom(...chars).map((c) => canonical.slice(0, -1) + c),
          )
        }),
      )
      fc.assert(
        fc.property(text, (candidate) => {
          expect(decodeSignature(candidate, encoding)).toEqual(byReencoding(candidate, encoding))
        }),
        { seed: 16, numRuns: 4000 },
      )
    })
  }
})

describe('secretList', () => {
  it('hands its own list back as it is, and still checks a list it did not make', () => {
    const keys = secretList(['a', 'b'])
    expect(secretList(keys)).toBe(keys)
    expect(() => secretList([new Uint8Array(1), new Uint8Array(0)])).toThrow(/`secret`\[1\] is empty/)
  })

  it('makes the keys of a secret string once, and each string keeps its own keys', () => {
    const text = (keys: Uint8Array[]) => keys.map((key) => new TextDecoder().decode(key))
    const first = secretList('secret-one')
    expect(secretList('secret-one')).toBe(first)
    expect(text(first)).toEqual(['secret-one'])
    expect(text(secretList('secret-two'))).toEqual(['secret-two'])
    // More strings than are remembered: each is still its own secret, made again when forgotten.
    const many = Array.from({ length: 40 }, (_, i) => `rotating-${i}`)
    for (const secret of many) expect(text(secretList(secret))).toEqual([secret])
    for (const secret of many) expect(text(secretList(secret))).toEqual([secret])
    expect(text(secretList('secret-one'))).toEqual(['secret-one'])
    expect(() => secretList('')).toThrow(/is empty/)
    expect(() => secretList('')).toThrow(/is empty/)
  })
})
