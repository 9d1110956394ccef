import { describe, expect, it } from 'vitest'
import type { Provider, VerifyResult, WebhookRequest } from '../../src/types.js'

/** What the shared verifier suite needs to know about one preset. */
export interface VerifierSuiteCase {
  /** Suite title, usually the preset name. */
  name: string
  /** Two different valid secrets (or key pairs' private halves, as the signer understands them). */
  secrets: readonly [string, string]
  /** Makes the preset accepting `secrets` (several = rotation). */
  create(secrets: readonly string[]): Provider
  /** Signs `body` with `secret` at `now` (epoch ms), as the provider would. */
  sign(options: { secret: string; body: string; now: number }): Promise<WebhookRequest>
  /** Headers that carry the signature material; each is removed and garbled in turn. */
  signatureHeaders: readonly string[]
  /** Sample body. @default a JSON object with spaces and unicode, so re-serialising changes it */
  body?: string
  /** Set when the scheme signs a timestamp: its default tolerance. */
  toleranceMs?: number
  /** False for schemes that do not sign the body (Mailgun signs timestamp+token only). @default true */
  bodySigned?: boolean
  /** Expected event id for `body` (checked on the valid case). */
  expectedId?: string
  /** Expected event type for `body`. */
  expectedType?: string
}

export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

const DEFAULT_BODY = '{"id": "evt_suite_1", "type": "suite.event", "data": {"name": "Zoë ☕", "n": 1}}'

function withHeaders(request: WebhookRequest, change: (headers: Record<string, string>) => void): WebhookRequest {
  const headers = { ...(request.headers as Record<string, string>) }
  change(headers)
  return { ...request, headers }
}

function bodyString(request: WebhookRequest): string {
  return typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)
}

function expectRefused(result: VerifyResult, codes: readonly string[]): void {
  expect(result.ok).toBe(false)
  if (!result.ok) {
    expect(codes).toContain(result.error.code)
    expect(result.error.status).toBeGreaterThanOrEqual(400)
  }
}

const SIGNATURE_CODES = [
  'missing_signature',
  'missing_header',
  'missing_timestamp',
  'malformed_signature',
  'malformed_timestamp',
  'invalid_signature',
  'invalid_token',
]

/**
 * The shared verifier suite: every preset runs it. Covers the valid case, tampering, re-serialised
 * JSON, wrong and rotated secrets, missing and malformed headers, stale and future timestamps,
 * header casing, `Headers` vs plain objects, and bodies as string, bytes and offset views.
 */
export function testVerifier(c: VerifierSuiteCase): void {
  const body = c.body ?? DEFAULT_BODY
  const [current, previous] = c.secrets
  const provider = c.create([current])
  const bodySigned = c.bodySigned ?? true

  describe(`verifier suite: ${c.name}`, () => {
    it('accepts a request signed as the provider signs it', async () => {
      const result = await provider.verify(await c.sign({ secret: current, body, now: NOW }), { now: NOW })
      expect(result.ok).toBe(true)
      if (result.ok) {
        expect(typeof result.id).toBe('string')
        expect(result.id.length).toBeGreaterThan(0)
        if (c.expectedId !== undefined) expect(result.id).toBe(c.expectedId)
        if (c.expectedType !== undefined) expect(result.type).toBe(c.expectedType)
        if (c.toleranceMs !== undefined) expect(result.timestamp).toBeTypeOf('number')
      }
    })

    it.runIf(bodySigned)('refuses a tampered body', async () => {
      const request = await c.sign({ secret: current, body, now: NOW })
      const tampered = bodyString(request).replace('1', '2')
      expect(tampered).not.toBe(bodyString(request))
      expectRefused(await provider.verify({ ...request, body: tampered }, { now: NOW }), ['invalid_signature'])
    })

    it.runIf(bodySigned)('refuses a body re-serialised from parsed JSON', async () => {
      const request = await c.sign({ secret: current, body, now: NOW })
      const original = bodyString(request)
      let reserialised: string
      try {
        reserialised = JSON.stringify(JSON.parse(original))
      } catch {
        return
      }
      if (reserialised === original) return
      expectRefused(await provider.verify({ ...request, body: reserialised }, { now: NOW }), ['invalid_signature'])
    })

    it('refuses a signature made with another secret', async () => {
      const request = await c.sign({ secret: previous, body, now: NOW })
      expectRefused(await provider.verify(request, { now: NOW }), ['invalid_signature', 'invalid_token'])
    })

    it('accepts either secret while rotating, in any order', async () => {
      const rotating = c.create([current, previous])
      const reversed = c.create([previous, current])
      for (const secret of [current, previous]) {
        const request = await c.sign({ secret, body, now: NOW })
        expect((await rotating.verify(request, { now: NOW })).ok).toBe(true)
        expect((await reversed.verify(request, { now: NOW })).ok).toBe(true)
      }
    })

    for (const header of c.signatureHeaders) {
      it(`refuses a request without ${header}`, async () => {
        const request = withHeaders(await c.sign({ secret: current, body, now: NOW }), (h) => {
          for (const name of Object.keys(h)) if (name.toLowerCase() === header.toLowerCase()) delete h[name]
        })
        expectRefused(await provider.verify(request, { now: NOW }), SIGNATURE_CODES)
      })

      it(`refuses a malformed ${header} without throwing`, async () => {
        for (const garbage of ['', ' ', 'garbage', '=,;', 'v1=', 't=abc,v1=zz', '\u0000', 'x'.repeat(10_000)]) {
          const request = withHeaders(await c.sign({ secret: current, body, now: NOW }), (h) => {
            for (const name of Object.keys(h)) if (name.toLowerCase() === header.toLowerCase()) h[name] = garbage
          })
          expectRefused(await provider.verify(request, { now: NOW }), SIGNATURE_CODES)
        }
      })
    }

    it.runIf(c.toleranceMs !== undefined)('refuses a stale timestamp and a future one, accepts the edges', async () => {
      const tolerance = c.toleranceMs as number
      const signedAt = NOW
      const request = await c.sign({ secret: current, body, now: signedAt })
      // Timestamps are whole seconds in most schemes, so probe a full second past the edge.
      expectRefused(await provider.verify(request, { now: signedAt + tolerance + 1000 }), ['timestamp_too_old'])
      expectRefused(await provider.verify(request, { now: signedAt - tolerance - 1000 }), ['timestamp_in_future'])
      expect((await provider.verify(request, { now: signedAt + tolerance - 1000 })).ok).toBe(true)
      expect((await provider.verify(request, { now: signedAt - tolerance + 1000 })).ok).toBe(true)
    })

    it('reads headers in any case, from a plain object or a Headers', async () => {
      const request = await c.sign({ secret: current, body, now: NOW })
      const upper = withHeaders(request, (h) => {
        for (const [name, value] of Object.entries(h)) {
          delete h[name]
          h[name.toUpperCase()] = value
        }
      })
      expect((await provider.verify(upper, { now: NOW })).ok).toBe(true)
      const headers = new Headers(request.headers as Record<string, string>)
      expect((await provider.verify({ ...request, headers }, { now: NOW })).ok).toBe(true)
    })

    it('takes the body as a string, as bytes, and as a view with an offset', async () => {
      const request = await c.sign({ secret: current, body, now: NOW })
      const text = bodyString(request)
      const bytes = new TextEncoder().encode(text)
      const padded = new Uint8Array(bytes.length + 7)
      padded.set(bytes, 5)
      for (const variant of [text, bytes, padded.subarray(5, 5 + bytes.length)]) {
        expect((await provider.verify({ ...request, body: variant }, { now: NOW })).ok).toBe(true)
      }
    })
  })
}
