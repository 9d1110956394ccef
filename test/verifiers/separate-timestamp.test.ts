import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseTimestamp, signSeparateTimestamp, verifySeparateTimestamp } from '../../src/verifiers/index.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const slackBase = ({ timestamp }: { timestamp: string }) => `v0:${timestamp}:`

describe('parseTimestamp', () => {
  it('reads RFC 3339 with any fraction and offset', () => {
    expect(parseTimestamp('2026-11-27T12:00:00Z', 'rfc3339')).toBe(NOW)
    expect(parseTimestamp('2026-11-27T12:00:00.123456789Z', 'rfc3339')).toBe(NOW + 123)
    expect(parseTimestamp('2026-11-27T12:00:00.5Z', 'rfc3339')).toBe(NOW + 500)
    expect(parseTimestamp('2026-11-27T13:30:00+01:30', 'rfc3339')).toBe(NOW)
    expect(parseTimestamp('2026-11-27T10:00:00-02:00', 'rfc3339')).toBe(NOW)
  })

  it('refuses what is not RFC 3339', () => {
    for (const bad of [
      '',
      '2026-11-27',
      '2026-11-27 12:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-27T24:00:00Z',
      '1764244800',
      'Fri, 27 Nov 2026 12:00:00 GMT',
    ]) {
      expect(parseTimestamp(bad, 'rfc3339'), bad).toBeUndefined()
    }
  })

  it('reads seconds, milliseconds, and either by size', () => {
    expect(parseTimestamp(String(NOW / 1000), 's')).toBe(NOW)
    expect(parseTimestamp(String(NOW), 'ms')).toBe(NOW)
    expect(parseTimestamp(String(NOW / 1000), 'epoch')).toBe(NOW)
    expect(parseTimestamp(String(NOW), 'epoch')).toBe(NOW)
    expect(parseTimestamp('12.5', 's')).toBeUndefined()
    expect(parseTimestamp('-1', 's')).toBeUndefined()
  })
})

describe('verifySeparateTimestamp', () => {
  const body = '{"a":1}'
  const ts = String(NOW / 1000)
  const signature = `v0=${createHmac('sha256', 'k2').update(`v0:${ts}:${body}`).digest('hex')}`

  it('reports which secret matched and the signed bytes', async () => {
    const result = await verifySeparateTimestamp({
      payload: body,
      signature,
      timestamp: ts,
      baseString: slackBase,
      prefix: 'v0=',
      secret: ['k1', 'k2'],
      now: NOW,
    })
    expect(result).toMatchObject({ ok: true, keyIndex: 1, timestamp: NOW })
    if (result.ok) expect(new TextDecoder().decode(result.signedMaterial)).toBe(`v0:${ts}:${body}`)
  })

  it('refuses a wrong prefix, a missing id when one is required, and a bad timestamp', async () => {
    const base = { payload: body, timestamp: ts, baseString: slackBase, secret: 'k2', now: NOW }
    const codeOf = async (o: Parameters<typeof verifySeparateTimestamp>[0]) => {
      const r = await verifySeparateTimestamp(o)
      return r.ok ? 'ok' : r.error.code
    }
    expect(await codeOf({ ...base, signature, prefix: 'v1=' })).toBe('malformed_signature')
    expect(await codeOf({ ...base, signature, prefix: 'v0=', requireId: true })).toBe('missing_header')
    expect(await codeOf({ ...base, signature, prefix: 'v0=', timestamp: 'soon' })).toBe('malformed_timestamp')
    expect(await codeOf({ ...base, signature, prefix: 'v0=', timestamp: String(NOW / 1000 + 1) })).toBe(
      'invalid_signature',
    )
    expect(await codeOf({ ...base, signature, prefix: 'v0=' })).toBe('ok')
  })

  it('signSeparateTimestamp is the inverse, and matches node:crypto', async () => {
    const signed = await signSeparateTimestamp({
      payload: body,
      secret: 'k2',
      timestamp: ts,
      baseString: slackBase,
      prefix: 'v0=',
    })
    expect(signed).toBe(signature)
  })
})
