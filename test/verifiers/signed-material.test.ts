// The bytes a timestamped scheme reports as `signedMaterial` (hashed into the fallback id and the
// `sig:` dedupe key): the signed prefix and the body as one buffer, made on the first read only.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  ecdsaP256PublicKeys,
  signSeparateTimestamp,
  signTimestampedHeader,
  signTwilio,
  verifySeparateTimestamp,
  verifyTimestampedEcdsa,
  verifyTimestampedHeader,
  verifyTwilio,
} from '../../src/verifiers/index.js'

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0)
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

function checkMaterial(result: { ok: boolean; signedMaterial?: Uint8Array }, expected: string) {
  if (!result.ok || !result.signedMaterial) throw new Error('expected a verified result with signedMaterial')
  const first = result.signedMaterial
  expect(text(first)).toBe(expected)
  // Joined once: every later read is the same buffer.
  expect(result.signedMaterial).toBe(first)
  // An own, enumerable property, so copies and key listings see it.
  expect(Object.keys(result)).toContain('signedMaterial')
  const copy = { ...result }
  expect(copy.signedMaterial).toBe(first)
  expect(Object.getOwnPropertyDescriptor(copy, 'signedMaterial')?.value).toBe(first)
  // Printing the result (a user's console.log while debugging) does not show the signed bytes.
  expect(inspect(result, { depth: 5 })).not.toContain(inspect(first).slice(0, 40))
  expect(inspect(result, { depth: 5 })).toContain('[signed parts]')
}

describe('signedMaterial of the timestamped schemes', () => {
  it('verifyTimestampedHeader: the timestamp, the joiner and the body', async () => {
    const payload = '{"id":"evt_1"}'
    const header = await signTimestampedHeader({ payload, secret: 'whsec_a', timestamp: NOW / 1000 })
    const result = await verifyTimestampedHeader({ payload, header, secret: 'whsec_a', now: NOW })
    checkMaterial(result, `${NOW / 1000}.${payload}`)
  })

  it('verifySeparateTimestamp: the base string and the body, for each of two results independently', async () => {
    const format = { baseString: ({ timestamp }: { timestamp: string }) => `v0:${timestamp}:`, prefix: 'v0=' }
    const timestamp = String(NOW / 1000)
    const results = []
    for (const payload of ['{"a":1}', '{"b":2}']) {
      const signature = await signSeparateTimestamp({ ...format, payload, secret: 's', timestamp })
      results.push({
        payload,
        result: await verifySeparateTimestamp({ ...format, payload, signature, timestamp, secret: 's', now: NOW }),
      })
    }
    // Read in the other order than made: each result joins its own parts.
    for (const { payload, result } of results.reverse()) checkMaterial(result, `v0:${timestamp}:${payload}`)
  })

  it('verifyTimestampedEcdsa: the timestamp header as sent and the body', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const payload = '[{"event":"delivered","sg_event_id":"sg_1"}]\r\n'
    const timestamp = String(NOW / 1000)
    const signature = nodeSign('sha256', Buffer.from(timestamp + payload), privateKey).toString('base64')
    const keys = ecdsaP256PublicKeys(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'))
    const result = await verifyTimestampedEcdsa({ payload, signature, timestamp, publicKey: keys, now: NOW })
    checkMaterial(result, timestamp + payload)
  })

  it('verifyTwilio: the URL and the sorted fields', async () => {
    const url = 'https://example.test/sms'
    const params = { To: '+1555', Body: 'hi', From: '+1444' }
    const signature = await signTwilio({ url, secret: 'token', params })
    const result = await verifyTwilio({ url, signature, secret: 'token', params })
    checkMaterial(result, `${url}BodyhiFrom+1444To+1555`)
  })
})
