import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hubspot } from '../../src/providers/index.js'
import { verifyHubSpot } from '../../src/verifiers/index.js'

// HubSpot v1 is SHA-256(secret + body) and v2 SHA-256(secret + method + URI + body): from one
// captured signature, SHA-256 length extension signs body + glue + anything, without the secret.
// A minimal SHA-256 that resumes from a digest, to forge exactly as an attacker would.
const K = Uint32Array.from(
  '428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2'
    .split(' ')
    .map((h) => Number.parseInt(h, 16)),
)
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n))
function compress(state: Uint32Array, block: Uint8Array): void {
  const w = new Uint32Array(64)
  for (let i = 0; i < 16; i++)
    w[i] =
      ((block[4 * i] as number) << 24) |
      ((block[4 * i + 1] as number) << 16) |
      ((block[4 * i + 2] as number) << 8) |
      (block[4 * i + 3] as number)
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15] as number
    const b = w[i - 2] as number
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0
  }
  let [a, b, c, d, e, f, g, h] = state as unknown as number[]
  for (let i = 0; i < 64; i++) {
    const t1 =
      ((h as number) +
        (rotr(e as number, 6) ^ rotr(e as number, 11) ^ rotr(e as number, 25)) +
        (((e as number) & (f as number)) ^ (~(e as number) & (g as number))) +
        (K[i] as number) +
        (w[i] as number)) >>>
      0
    const t2 =
      ((rotr(a as number, 2) ^ rotr(a as number, 13) ^ rotr(a as number, 22)) +
        (((a as number) & (b as number)) ^ ((a as number) & (c as number)) ^ ((b as number) & (c as number)))) >>>
      0
    h = g
    g = f
    f = e
    e = ((d as number) + t1) >>> 0
    d = c
    c = b
    b = a
    a = (t1 + t2) >>> 0
  }
  const out = [a, b, c, d, e, f, g, h] as number[]
  for (let i = 0; i < 8; i++) state[i] = ((state[i] as number) + (out[i] as number)) >>> 0
}
function padding(length: number): Uint8Array {
  const zeros = (55 - (length % 64) + 64) % 64
  const pad = new Uint8Array(1 + zeros + 8)
  pad[0] = 0x80
  new DataView(pad.buffer).setBigUint64(pad.length - 8, BigInt(length) * 8n)
  return pad
}
/** SHA-256(secret + message + glue + extra) from SHA-256(secret + message) and the total length alone. */
function extend(digestHex: string, prefixLength: number, extra: Uint8Array): { glue: Uint8Array; digest: string } {
  const glue = padding(prefixLength)
  const state = new Uint32Array(8)
  for (let i = 0; i < 8; i++) state[i] = Number.parseInt(digestHex.slice(8 * i, 8 * i + 8), 16)
  const total = prefixLength + glue.length + extra.length
  const tail = new Uint8Array([...extra, ...padding(total)])
  for (let i = 0; i < tail.length; i += 64) compress(state, tail.subarray(i, i + 64))
  return { glue, digest: [...state].map((x) => x.toString(16).padStart(8, '0')).join('') }
}

const SECRET = 'hubspot-client-secret'
const BODY = '[{"eventId":1,"subscriptionType":"contact.creation","objectId":7}]'
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const URL_ = 'https://example.com/webhooks/hubspot'

describe('verifyHubSpot v1/v2: no SHA-256 length extension', () => {
  for (const version of ['v1', 'v2'] as const) {
    it(`${version}: a body extended without the secret is refused; the original still verifies`, async () => {
      const prefix = version === 'v1' ? BODY : `POST${URL_}${BODY}`
      const signature = createHash('sha256')
        .update(SECRET + prefix)
        .digest('hex')
      const extra = new TextEncoder().encode(',{"eventId":2,"subscriptionType":"deal.deletion"}]')
      const { glue, digest } = extend(signature, SECRET.length + Buffer.byteLength(prefix), extra)
      const forged = new Uint8Array([...new TextEncoder().encode(BODY), ...glue, ...extra])
      // The forgery is sound: SHA-256 of secret + forged body is the extended digest.
      const check = createHash('sha256')
        .update(Buffer.concat([Buffer.from(SECRET + (version === 'v1' ? '' : `POST${URL_}`)), forged]))
        .digest('hex')
      expect(check).toBe(digest)

      const base = { version, method: 'POST', url: URL_, secret: SECRET, now: NOW }
      expect((await verifyHubSpot({ ...base, payload: BODY, signature })).ok).toBe(true)
      const result = await verifyHubSpot({ ...base, payload: forged, signature: digest })
      expect(result.ok).toBe(false)
      // Through the preset too, whatever its body parsing would have made of it.
      const provider = hubspot({ secret: SECRET, versions: [version] })
      const answer = await provider.verify(
        {
          method: 'POST',
          url: URL_,
          headers: {
            'x-hubspot-signature': digest,
            'x-hubspot-signature-version': version,
            'content-type': 'application/json',
          },
          body: forged,
        },
        { now: NOW },
      )
      expect(answer.ok).toBe(false)
    })
  }
})
