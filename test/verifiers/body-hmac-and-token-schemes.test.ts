// The family A / J schemes on their own: shared token, Basic credentials, embedded HMAC.
// Expected MACs come from node:crypto, never from the code under test.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isWebhookError } from '../../src/errors.js'
import {
  signEmbeddedHmac,
  tokenMatches,
  verifyBasicAuth,
  verifyEmbeddedHmac,
  verifySharedToken,
} from '../../src/verifiers/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const enc = (text: string) => new TextEncoder().encode(text)

describe('tokenMatches', () => {
  it('matches any expected token, byte for byte', async () => {
    expect(await tokenMatches(enc('abc'), [enc('xyz'), enc('abc')])).toBe(true)
    expect(await tokenMatches(enc('abc'), [enc('ab')])).toBe(false)
    expect(await tokenMatches(enc('abc'), [enc('abcd')])).toBe(false)
    expect(await tokenMatches(enc('abc'), [enc('ABC')])).toBe(false)
    expect(await tokenMatches(enc(''), [enc('abc')])).toBe(false)
  })
})

describe('verifySharedToken', () => {
  it('accepts the exact token and names what is missing or wrong, never the secret', async () => {
    expect(await verifySharedToken({ token: 'tok-2', secret: ['tok-1', 'tok-2'] })).toEqual({ ok: true })
    for (const [token, code] of [
      [undefined, 'missing_signature'],
      ['', 'missing_signature'],
      ['  ', 'missing_signature'],
      ['tok-3', 'invalid_token'],
      ['tok-2 ', 'invalid_token'],
      ['\u0000'.repeat(5000), 'invalid_token'],
    ] as const) {
      const result = await verifySharedToken({
        token,
        secret: ['tok-1', 'tok-2'],
        source: 'the X-Token header',
        provider: 'acme',
      })
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.code).toBe(code)
        expect(result.error.message).toMatch(/^\[webhook-inbox\] \[acme\] the X-Token header/)
        expect(result.error.message).not.toContain('tok-1')
      }
    }
  })

  it('refuses a token of another JSON type (read from a body) without throwing', async () => {
    for (const token of [5, null, ['tok-1'], { a: 1 }]) {
      const result = await verifySharedToken({ token: token as never, secret: 'tok-1' })
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(token)).toBe('missing_signature')
    }
  })

  it('throws a config error without a secret', async () => {
    const error = await verifySharedToken({ token: 'x', secret: [] }).catch((e: unknown) => e)
    expect(isWebhookError(error) && error.code).toBe('invalid_config')
  })
})

describe('verifyBasicAuth', () => {
  const header = (credentials: string, scheme = 'Basic') => `${scheme} ${Buffer.from(credentials).toString('base64')}`

  it('accepts the configured user:password, any scheme case', async () => {
    expect((await verifyBasicAuth({ authorization: header('u:p w'), secret: 'u:p w' })).ok).toBe(true)
    expect((await verifyBasicAuth({ authorization: header('u:p w', 'basic'), secret: ['x:y', 'u:p w'] })).ok).toBe(true)
  })

  it('refuses wrong, malformed and missing credentials without throwing', async () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'missing_signature'],
      [header('u:p'), 'invalid_token'],
      [header('u:p w '), 'invalid_token'],
      ['Bearer abc', 'malformed_signature'],
      ['Basic', 'malformed_signature'],
      ['Basic ***', 'malformed_signature'],
      ['Basic a', 'malformed_signature'],
    ]
    for (const [authorization, code] of cases) {
      const result = await verifyBasicAuth({ authorization, secret: 'u:p w' })
      expect(result.ok ? 'ok' : result.error.code).toBe(code)
    }
  })

  it('throws a config error for a secret that is not user:password', async () => {
    await expect(verifyBasicAuth({ authorization: 'Basic dTpw', secret: 'password' })).rejects.toThrow(/user:password/)
  })
})

describe('verifyEmbeddedHmac', () => {
  const ts = String(Math.floor(NOW / 1000))
  const mac = (key: string, data: string, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'hex') =>
    createHmac(algorithm, key).update(data).digest(encoding)

  it('verifies an HMAC of the concatenated fields, any of several signatures', async () => {
    const good = mac('key', `${ts}tok`)
    expect(
      await verifyEmbeddedHmac({ fields: [ts, 'tok'], timestamp: ts, signature: good, secret: 'key', now: NOW }),
    ).toMatchObject({
      ok: true,
      timestamp: Number(ts) * 1000,
    })
    expect(
      (await verifyEmbeddedHmac({ fields: [ts, 'tok'], signature: [undefined, 'zz', good], secret: 'key', now: NOW }))
        .ok,
    ).toBe(true)
    expect(await signEmbeddedHmac({ fields: [ts, 'tok'], secret: 'key' })).toBe(good)
  })

  it('takes other algorithms and encodings', async () => {
    const good = mac('key', 'a|b', 'sha1', 'base64')
    const result = await verifyEmbeddedHmac({
      fields: ['a|b'],
      signature: good,
      secret: 'key',
      now: NOW,
      algorithm: 'sha1',
      encoding: 'base64',
    })
    expect(result.ok).toBe(true)
  })

  it('refuses missing fields, bad timestamps and wrong MACs with typed errors', async () => {
    const good = mac('key', `${ts}tok`)
    const code = async (options: Partial<Parameters<typeof verifyEmbeddedHmac>[0]>) => {
      const result = await verifyEmbeddedHmac({
        fields: [ts, 'tok'],
        timestamp: ts,
        signature: good,
        secret: 'key',
        now: NOW,
        ...options,
      })
      return result.ok ? 'ok' : result.error.code
    }
    expect(await code({ signature: undefined })).toBe('missing_signature')
    expect(await code({ signature: ['', '  '] })).toBe('missing_signature')
    expect(await code({ fields: [ts, undefined] })).toBe('malformed_signature')
    expect(await code({ timestamp: undefined })).toBe('missing_timestamp')
    expect(await code({ timestamp: '12abc' })).toBe('malformed_timestamp')
    expect(await code({ now: NOW + 301_000 })).toBe('timestamp_too_old')
    expect(await code({ now: NOW - 301_000 })).toBe('timestamp_in_future')
    expect(await code({ now: NOW + 301_000, toleranceMs: 302_000 })).toBe('ok')
    expect(await code({ signature: 'not hex' })).toBe('malformed_signature')
    expect(await code({ signature: mac('other', `${ts}tok`) })).toBe('invalid_signature')
    expect(await code({ fields: [ts, 'tok2'] })).toBe('invalid_signature')
  })

  it('refuses body values of other JSON types, as its example reads them, without throwing', async () => {
    const good = mac('key', `${ts}tok`)
    const code = async (signature: unknown, timestamp: unknown) => {
      const result = await verifyEmbeddedHmac({
        fields: ['tok'],
        timestamp: timestamp as never,
        signature: signature as never,
        secret: 'key',
        now: NOW,
      })
      return result.ok ? 'ok' : result.error.code
    }
    for (const signature of [5, true, { s: good }, null]) expect(await code(signature, ts)).toBe('missing_signature')
    expect(await code([good, 5, {}], ts)).toBe('invalid_signature')
    for (const timestamp of [Number(ts), [ts], { t: ts }])
      expect(await code(good, timestamp)).toBe('malformed_timestamp')
  })
})
