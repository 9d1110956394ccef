import { describe, expect, it } from 'vitest'
import { pathOf } from '../../src/verifiers/contentful.js'
import { signContentful, verifyContentfulRequest } from '../../src/verifiers/index.js'

describe('pathOf', () => {
  it('keeps the path and query exactly as sent, without the origin or the fragment', () => {
    expect(pathOf('https://Example.test:8443/a/b%20c?x=1&y=%2F#frag')).toBe('/a/b%20c?x=1&y=%2F')
    expect(pathOf('https://example.test')).toBe('/')
    expect(pathOf('https://example.test?x=1')).toBe('/?x=1')
    expect(pathOf('/already/a/path?q')).toBe('/already/a/path?q')
  })
})

describe('verifyContentfulRequest', () => {
  const secret = 'k'.repeat(64)
  const now = Date.UTC(2026, 10, 27, 12, 0, 0)

  it('round-trips with signContentful and refuses a timestamp before 2020 as the toolkit does', async () => {
    const headers = await signContentful({ secret, method: 'post', url: '/w?a=b', body: '{}', timestamp: now })
    const ok = await verifyContentfulRequest({
      payload: '{}',
      method: 'POST',
      url: 'https://h.test/w?a=b',
      headers,
      secret,
      now,
    })
    expect(ok.ok).toBe(true)
    const old = await signContentful({ secret, method: 'POST', url: '/w', body: '{}', timestamp: 1_500_000_000_000 })
    const result = await verifyContentfulRequest({
      payload: '{}',
      method: 'POST',
      url: '/w',
      headers: old,
      secret,
      now: 1_500_000_000_000,
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('malformed_timestamp')
  })

  it('refuses a signed-headers list of one entry, and a short signature, without throwing', async () => {
    const headers = await signContentful({ secret, method: 'POST', url: '/w', body: '{}', timestamp: now })
    for (const [name, value, code] of [
      ['x-contentful-signed-headers', 'x-contentful-timestamp', 'malformed_signature'],
      ['x-contentful-signature', 'abcd', 'malformed_signature'],
      ['x-contentful-signature', 'z'.repeat(64), 'malformed_signature'],
    ] as const) {
      const r = await verifyContentfulRequest({
        payload: '{}',
        method: 'POST',
        url: '/w',
        headers: { ...headers, [name]: value },
        secret,
        now,
      })
      expect(r.ok ? 'ok' : r.error.code, name).toBe(code)
    }
  })

  it('ignores listed names that were not sent, however long the list and the header block', async () => {
    // About 1.6 MB of header names, half listed and half sent (the shape that made the old
    // pairwise matching quadratic; its speed belongs in a benchmark, not here). Listed names that
    // were not sent change nothing, so the signature still holds.
    const headers: Record<string, string> = await signContentful({
      secret,
      method: 'POST',
      url: '/w',
      body: '{}',
      timestamp: now,
    })
    const listed = [headers['x-contentful-signed-headers'] as string]
    for (let i = 0; i < 60_000; i++) {
      listed.push(`x-listed-${i}`)
      headers[`x-sent-${i}`] = 'v'
    }
    headers['x-contentful-signed-headers'] = listed.join(',')
    const result = await verifyContentfulRequest({ payload: '{}', method: 'POST', url: '/w', headers, secret, now })
    expect(result.ok).toBe(true)
  })
})
