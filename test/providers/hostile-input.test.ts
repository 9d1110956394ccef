import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS, isWebhookError } from '../../src/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { presetSamples } from './samples/index.js'

// Network input never throws: every preset answers hostile requests with a value, a typed
// error whose message echoes nothing that was sent. Values chosen to hit parsers' edges.
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const LONG = 'x'.repeat(100_000)
const HEADER_VALUES = [
  '',
  ' ',
  LONG,
  '\u0000\u0001',
  'ü漢😀',
  't=,v1=',
  `t=1,v1=${'a'.repeat(64)}`,
  `t=${Math.floor(NOW / 1000)},v1=${'0'.repeat(64)},v1=zz`,
  'ts=1;h1=00',
  `sha256=${'0'.repeat(64)}`,
  `v0=${'f'.repeat(64)}`,
  `v1,${'A'.repeat(44)} v1a,${'B'.repeat(86)}`,
  'eyJhbGciOiJub25lIn0.eyJpc3MiOiJVcHN0YXNoIn0.',
  `eyJhbGciOiJIUzI1NiJ9.${'e'.repeat(5000)}.sig`,
  `Basic ${btoa('user:pass')}`,
  'Basic !!!',
  String(Math.floor(NOW / 1000)),
  String(NOW),
  '99999999999999999999999',
  '-1',
  'NaN',
  '2026-11-27T12:00:00.123456789Z',
  'https://sns.us-east-1.amazonaws.com/cert.pem',
]
const BODIES: (string | Uint8Array)[] = [
  '',
  '{}',
  '[]',
  'null',
  '123',
  '"text"',
  '{"type":1,"id":"x"}',
  '{"type":0,"version":1}',
  '{"Type":"SubscriptionConfirmation","SigningCertURL":"https://evil.example/cert.pem","SubscribeURL":"https://evil.example/","Signature":"AAAA","SignatureVersion":"1","TopicArn":"arn","MessageId":"m","Timestamp":"2026-11-27T12:00:00Z","Message":"x","Token":"t"}',
  '{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":{"id":"e"}}',
  '{"value":[{"clientState":"nope","subscriptionId":"s"}]}',
  '{"type":"url_verification","challenge":"c","token":"t"}',
  '{"event":"endpoint.url_validation","payload":{"plainToken":"p"}}',
  'payload=%7B%7D&ssl_check=1&webhook_id=1',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0x00]),
  new Uint8Array(randomBytes(4096)),
]
const URLS = [
  'https://example.test/webhooks?validationToken=abc&hub.mode=subscribe&hub.challenge=1&hub.verify_token=x&challenge=y&bodySHA256=00',
  'not a url',
  'http://[::1]:99999/%zz?%',
]
const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain']

function headerNames(make: () => import('../../src/types.js').Provider): string[] {
  const info = make().info
  return [...new Set([...(info?.headers ?? []), 'x-request-id', 'idempotency-key'])]
}

describe('hostile input never throws and is never echoed', () => {
  for (const [name, make] of Object.entries(presetSamples)) {
    it(`${name}()`, async () => {
      const provider = make()
      const names = headerNames(make)
      const requests: WebhookRequest[] = []
      for (const value of HEADER_VALUES) {
        for (const [index, body] of BODIES.entries()) {
          const headers: Record<string, string> = {
            'content-type': CONTENT_TYPES[index % CONTENT_TYPES.length] as string,
          }
          for (const header of names) headers[index % 2 ? header.toUpperCase() : header] = value
          requests.push({
            method: index % 5 === 0 ? 'GET' : 'POST',
            url: URLS[index % URLS.length] as string,
            headers,
            body,
          })
        }
      }
      // Wrong shapes a careless adapter could pass.
      requests.push({ method: 'POST', url: URLS[0] as string, headers: { 'x-a': ['1', '2'] }, body: '{}' })
      requests.push({ method: 'POST', url: URLS[0] as string, headers: new Headers({ 'x-a': '1' }), body: '{}' })
      for (const request of requests) {
        const result = await provider.verify(request, { now: NOW })
        if (result.ok) continue
        expect(isWebhookError(result.error)).toBe(true)
        expect(ERROR_STATUS[result.error.code]).toBeTypeOf('number')
        expect(result.error.status).toBeGreaterThanOrEqual(400)
        expect(result.error.message.length).toBeLessThan(600)
        expect(result.error.message).not.toContain('x'.repeat(50))
        expect(result.error.message).not.toContain('0'.repeat(40))
        // Most samples use the secret "sample"; no message may carry it.
        expect(result.error.message).not.toMatch(/\bsample\b/)
      }
    }, 120_000)
  }
})
