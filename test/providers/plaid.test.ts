// Family I: Plaid (ES256 JWT with a key lookup). No Plaid SDK is installed, so there is no SDK
// cross-check; tokens from an independent node:crypto signer stand in for Plaid's.
import { createHash, createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { plaid } from '../../src/providers/index.js'
import { signPlaidRequest } from '../../src/testing/index.js'
import type { EcPublicJwk } from '../../src/verifiers/index.js'
import { NOW, testVerifier } from './verifier-suite.js'

function pair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    kid,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid } as unknown as EcPublicJwk,
  }
}

const keys = [pair('kid-a'), pair('kid-b')]
const byPrivate = new Map(keys.map((k) => [k.privateKey, k]))

testVerifier({
  name: 'plaid',
  secrets: [keys[0]?.privateKey as string, keys[1]?.privateKey as string],
  create: (secrets) => {
    const trusted = new Map(secrets.map((s) => [byPrivate.get(s)?.kid, byPrivate.get(s)?.jwk]))
    return plaid({ getKey: async ({ kid }) => trusted.get(kid) })
  },
  sign: ({ secret, body, now }) =>
    signPlaidRequest({ privateKey: secret, kid: byPrivate.get(secret)?.kid as string, body, now }),
  signatureHeaders: ['plaid-verification'],
  toleranceMs: 300_000,
})

describe('plaid', () => {
  const key = keys[0] as (typeof keys)[number]
  const provider = plaid({ getKey: async ({ kid }) => (kid === key.kid ? key.jwk : undefined) })
  const body = '{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"item-1"}'

  function reference(iat: number, signedBody = body): string {
    const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')
    const claims = { iat, request_body_sha256: createHash('sha256').update(signedBody).digest('hex') }
    const head = `${b64(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`
    const signature = nodeSign('sha256', Buffer.from(head), {
      key: createPrivateKey(key.privateKey),
      dsaEncoding: 'ieee-p1363',
    })
    return `${head}.${b64(signature)}`
  }

  it('known answer from node:crypto; the id survives a retry under a new token', async () => {
    const request = (token: string) => ({
      method: 'POST',
      url: 'https://x/plaid',
      headers: { 'plaid-verification': token },
      body,
    })
    const first = await provider.verify(request(reference(NOW / 1000)), { now: NOW })
    const retry = await provider.verify(request(reference(NOW / 1000 + 60)), { now: NOW + 60_000 })
    expect(first).toMatchObject({ ok: true, type: 'TRANSACTIONS.SYNC_UPDATES_AVAILABLE', timestamp: NOW })
    expect(first.ok && retry.ok && first.id === retry.id).toBe(true)
    expect(provider.sensitiveHeaders).toContain('plaid-verification')
  })

  it('needs getKey at setup', () => {
    expect(() => plaid({} as never)).toThrow(/getKey/)
  })
})
