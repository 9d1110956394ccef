// Scheme-level tests for families E–I that the presets do not reach: the ES256 JWT path (Plaid),
// the DER/X.509 reader, and setup errors.
import { createHash, type createPrivateKey, generateKeyPairSync, sign as nodeSign, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  certificateSource,
  defaultFetch,
  type EcPublicJwk,
  ecdsaP256PublicKeys,
  ed25519PublicKeys,
  p256JwkToSpki,
  readCertificate,
  verifyJwt,
  verifyPlaid,
} from '../../src/verifiers/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

function es256(privateKey: ReturnType<typeof createPrivateKey>, header: object, claims: object): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = nodeSign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return `${head}.${signature.toString('base64url')}`
}

describe('verifyPlaid (ES256 JWT with a key lookup)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'kid-1' } as unknown as EcPublicJwk
  const body = '{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"it1"}'
  const claims = { iat: NOW / 1000, request_body_sha256: createHash('sha256').update(body).digest('hex') }
  const lookups: string[] = []
  const getKey = async ({ kid }: { kid?: string }) => {
    lookups.push(String(kid))
    return kid === 'kid-1' ? jwk : undefined
  }

  it('accepts a token signed by node:crypto and looks the key up by kid', async () => {
    const token = es256(privateKey, { alg: 'ES256', kid: 'kid-1', typ: 'JWT' }, claims)
    expect(await verifyPlaid({ token, payload: body, getKey, now: NOW })).toMatchObject({ ok: true, timestamp: NOW })
    expect(lookups).toContain('kid-1')
  })

  it('refuses an old iat, an unknown kid, a changed body, HS256 confusion and a failing key fetch', async () => {
    const good = { alg: 'ES256', kid: 'kid-1' }
    const cases: [string, string, string][] = [
      [es256(privateKey, good, { ...claims, iat: NOW / 1000 - 301 }), body, 'timestamp_too_old'],
      [es256(privateKey, { alg: 'ES256', kid: 'kid-2' }, claims), body, 'invalid_signature'],
      [es256(privateKey, good, claims), `${body} `, 'invalid_signature'],
      [es256(privateKey, good, { iat: NOW / 1000 }), body, 'invalid_signature'],
      [
        `${b64url('{"alg":"HS256","kid":"kid-1"}')}.${b64url(JSON.stringify(claims))}.${b64url('x'.repeat(32))}`,
        body,
        'malformed_signature',
      ],
    ]
    for (const [token, payload, code] of cases) {
      expect(await verifyPlaid({ token, payload, getKey, now: NOW }), code).toMatchObject({
        ok: false,
        error: { code },
      })
    }
    const throwing = async () => {
      throw new Error('network down')
    }
    expect(
      await verifyPlaid({ token: es256(privateKey, good, claims), payload: body, getKey: throwing, now: NOW }),
    ).toMatchObject({
      ok: false,
      error: { code: 'certificate_error' },
    })
  })

  it('refuses a kid that is not a string before the key lookup sees it', async () => {
    const seen: unknown[] = []
    const spy = async (header: { kid?: unknown }) => {
      seen.push(header.kid)
      return jwk
    }
    for (const kid of [{ toString: 'kid-1' }, ['kid-1'], 1, null]) {
      const token = es256(privateKey, { alg: 'ES256', kid }, claims)
      expect(await verifyPlaid({ token, payload: body, getKey: spy, now: NOW }), JSON.stringify(kid)).toMatchObject({
        ok: false,
        error: { code: 'malformed_signature' },
      })
    }
    expect(seen).toEqual([])
  })

  it('verifyJwt with HS256 allowed but no secret fails the same way whatever alg the token names', async () => {
    const hs = `${b64url('{"alg":"HS256"}')}.${b64url('{}')}.${b64url('x'.repeat(32))}`
    const es = es256(privateKey, { alg: 'ES256', kid: 'kid-1' }, claims)
    for (const token of [hs, es]) {
      await expect(verifyJwt({ token, algorithms: ['ES256', 'HS256'], getKey, now: NOW }), token).rejects.toMatchObject(
        {
          code: 'invalid_config',
        },
      )
    }
  })

  it('builds the same SPKI as node:crypto from a JWK', () => {
    const spki = p256JwkToSpki(jwk)
    expect(Buffer.from(spki as Uint8Array).equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true)
    expect(p256JwkToSpki({ ...jwk, crv: 'P-384' as 'P-256' })).toBeUndefined()
  })

  it('verifyJwt refuses malformed tokens without throwing', async () => {
    for (const token of [
      undefined,
      '',
      'a.b',
      'a.b.c',
      '....',
      `${b64url('[]')}.${b64url('{}')}.AA`,
      'x'.repeat(10_000),
    ]) {
      const result = await verifyJwt({ token, algorithms: ['HS256'], secret: 'k', now: NOW })
      expect(result.ok).toBe(false)
    }
  })
})

describe('readCertificate (pure DER reader) against node:crypto X509Certificate', () => {
  for (const name of ['signer-1.cert.pem', 'signer-2.cert.pem', 'signer-1-expired.cert.pem']) {
    it(name, () => {
      const pem = readFileSync(new URL(`../fixtures/x509/${name}`, import.meta.url), 'utf8')
      const info = readCertificate(pem)
      const reference = new X509Certificate(pem)
      expect(info).toBeDefined()
      expect(
        Buffer.from(info?.publicKey as Uint8Array).equals(reference.publicKey.export({ type: 'spki', format: 'der' })),
      ).toBe(true)
      expect(info?.notBefore).toBe(Date.parse(reference.validFrom))
      expect(info?.notAfter).toBe(Date.parse(reference.validTo))
    })
  }

  it('returns undefined for garbage', () => {
    for (const input of [
      '',
      'nope',
      '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----',
      new Uint8Array([0x30, 0x82, 0xff]),
    ]) {
      expect(readCertificate(input)).toBeUndefined()
    }
  })

  it('returns undefined, without throwing, for a validity time of hostile length', () => {
    const cat = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
      let offset = 0
      for (const part of parts) {
        out.set(part, offset)
        offset += part.length
      }
      return out
    }
    const tlv = (tag: number, content: Uint8Array): Uint8Array => {
      const n = content.length
      const length = n < 0x80 ? [n] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
      return cat(Uint8Array.of(tag, ...length), content)
    }
    const empty = tlv(0x30, new Uint8Array())
    const huge = tlv(0x17, new Uint8Array(2_000_000).fill(0x30))
    const validity = tlv(0x30, cat(huge, tlv(0x17, new TextEncoder().encode('300101000000Z'))))
    const tbs = tlv(0x30, cat(tlv(0x02, Uint8Array.of(1)), empty, empty, validity, empty, empty))
    expect(readCertificate(tlv(0x30, tbs))).toBeUndefined()
  })

  it('certificateSource refuses a certificate without an RSA key', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const notACert = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const source = certificateSource({
      allow: () => true,
      fetch: async () => ({ ok: true, status: 200, text: async () => notACert }),
    })
    expect(await source('https://certs.example.test/a.pem', NOW)).toMatchObject({
      ok: false,
      error: { code: 'certificate_error' },
    })
  })
})

describe('certificateSource timeout', () => {
  it('counts a download that hangs past timeoutMs as failed and does not cache it', async () => {
    const pem = readFileSync(new URL('../fixtures/x509/signer-1.cert.pem', import.meta.url), 'utf8')
    let calls = 0
    let hang = true
    const source = certificateSource({
      allow: () => true,
      timeoutMs: 20,
      fetch: async () => {
        calls++
        if (hang) return new Promise<never>(() => {})
        return { ok: true, status: 200, text: async () => pem }
      },
    })
    const url = 'https://certs.example.test/hang.pem'
    expect(await source(url, NOW)).toMatchObject({ ok: false, error: { code: 'certificate_unavailable' } })
    hang = false
    expect(await source(url, NOW)).toMatchObject({ ok: true })
    expect(calls).toBe(2)
  })

  it('refuses a timeoutMs that is not a positive number at setup', () => {
    expect(() =>
      certificateSource({
        allow: () => true,
        fetch: async () => ({ ok: false, status: 500, text: async () => '' }),
        timeoutMs: 0,
      }),
    ).toThrow(/timeoutMs/)
  })
})

describe('defaultFetch', () => {
  it('refuses to follow a redirect (an allowed host must serve the certificate itself)', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/cert.pem') res.writeHead(302, { location: '/elsewhere.pem' }).end()
      else res.writeHead(200).end('served')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const download = defaultFetch()
      expect(await (await download?.(`${origin}/direct.pem`))?.text()).toBe('served')
      await expect(download?.(`${origin}/cert.pem`)).rejects.toThrow()
    } finally {
      server.close()
    }
  })
})

describe('key decoding at setup', () => {
  it('ed25519PublicKeys takes hex, base64 and PEM, and names the option on mistakes', () => {
    const { publicKey } = generateKeyPairSync('ed25519')
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    for (const form of [raw.toString('hex'), raw.toString('base64'), pem]) {
      expect(Buffer.from(ed25519PublicKeys(form)[0] as Uint8Array).equals(raw)).toBe(true)
    }
    expect(() => ed25519PublicKeys('00')).toThrow(/publicKey/)
  })

  it('ecdsaP256PublicKeys refuses a P-384 key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    expect(() => ecdsaP256PublicKeys(publicKey.export({ type: 'spki', format: 'der' }).toString('base64'))).toThrow(
      /P-256/,
    )
  })
})
