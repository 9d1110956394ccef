import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getCrypto } from '../../src/crypto/index.js'
import type { CryptoBackend } from '../../src/crypto/types.js'
import { standardWebhooks } from '../../src/providers/index.js'
import { signGitHubRequest } from '../../src/testing/index.js'
import type { Provider, WebhookRequest } from '../../src/types.js'
import { presetSamples } from './samples/index.js'

// No unauthenticated slow path: for every preset, the worst request an attacker without the
// secret can send costs a small constant factor of one normal delivery of the same size (a signed
// GitHub delivery: one HMAC over the body and one JSON parse). Two measures, both within this run:
// bytes fed to the crypto back end (counted), and CPU time (process.cpuUsage) as a ratio.
// Sizes grow, so a super-linear path fails at the small size instead of running for minutes.

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const SECONDS = String(Math.floor(NOW / 1000))
const SIZES = [64 * 1024, 1024 * 1024]
/** Bytes through the crypto back end, as a multiple of the body size (signature entries are capped at 8). */
const MAX_CRYPTO_FACTOR = 10
/** Calls into the crypto back end: a few per secret and URL form, never one per item or entry. */
const MAX_CRYPTO_CALLS = 40
/** CPU time of the worst request over the normal delivery's. */
const MAX_CPU_RATIO = 25

const ed25519PublicKey = (() => {
  const { publicKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string }
  return `whpk_${Buffer.from(jwk.x, 'base64url').toString('base64')}`
})()

const presets: Record<string, () => Provider> = {
  ...presetSamples,
  'standardWebhooks (v1a Ed25519)': () =>
    standardWebhooks({ publicKey: ed25519PublicKey, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}

function repeatTo(unit: string, size: number, head = '', tail = ''): string {
  const count = Math.max(0, Math.floor((size - head.length - tail.length) / unit.length))
  return head + unit.repeat(count) + tail
}

const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64')
const hex = (bytes: number) => 'ab'.repeat(bytes)
const HEADER_SIZE = 12 * 1024

/** Header values built to make a parser or a verifier loop: many signature entries, separators. */
const HEADER_PATTERNS: string[] = [
  repeatTo(`v1a,${b64(64)} `, HEADER_SIZE),
  repeatTo(`v1,${b64(32)} `, HEADER_SIZE),
  repeatTo(`,v1=${hex(32)}`, HEADER_SIZE, `t=${SECONDS}`),
  repeatTo(`;h1=${hex(32)}`, HEADER_SIZE, `ts=${SECONDS}`),
  repeatTo(`,h1=${hex(32)}`, HEADER_SIZE, `ts=${SECONDS}`),
  repeatTo(`,v1,${b64(32)}`, HEADER_SIZE, `t=${SECONDS}`),
  repeatTo(`sha256=${hex(32)},`, HEADER_SIZE),
  repeatTo(`${b64(32)},`, HEADER_SIZE),
  repeatTo(`${b64(32)} `, HEADER_SIZE),
  repeatTo(`${hex(64)} `, HEADER_SIZE),
  repeatTo('=', HEADER_SIZE),
  repeatTo(' ,;', HEADER_SIZE),
  repeatTo('a', HEADER_SIZE),
  // The most entries a header may carry: every one of them is checked.
  Array(8)
    .fill(`v1a,${b64(64)}`)
    .join(' '),
  `t=${SECONDS},${Array(8)
    .fill(`v1=${hex(32)}`)
    .join(',')}`,
]

/** Bodies of `size` bytes shaped to hit each parser's worst case. */
function hostileBodies(size: number): { name: string; body: string; contentType: string }[] {
  const json = 'application/json'
  const form = 'application/x-www-form-urlencoded'
  return [
    { name: 'repeated form keys', body: repeatTo('a=&', size), contentType: form },
    { name: 'repeated ssl_check', body: repeatTo('ssl_check=1&', size), contentType: form },
    {
      name: 'distinct form keys',
      body: repeatTo('k=', size)
        .replace(/k=/g, (_m, i: number) => `k${i}=&`)
        .slice(0, size),
      contentType: form,
    },
    { name: 'escapes', body: repeatTo('%zz%41', size), contentType: form },
    { name: 'deep JSON', body: repeatTo('[', size / 2) + repeatTo(']', size / 2), contentType: json },
    { name: 'many items', body: repeatTo('{"clientState":"x"},', size, '{"value":[', '{}]}'), contentType: json },
    { name: 'many events', body: repeatTo('{"eventId":1,"event_id":"e"},', size, '[', '{}]'), contentType: json },
    { name: 'many keys', body: repeatTo('"a":1,', size, '{', '"b":1}'), contentType: json },
    { name: 'whitespace', body: repeatTo(' ', size), contentType: 'text/plain' },
  ]
}

interface Meter {
  bytes: number
  calls: number
}

let meter: Meter = { bytes: 0, calls: 0 }
const originals: Partial<CryptoBackend> = {}

beforeAll(() => {
  const backend = getCrypto() as unknown as Record<string, (...args: Uint8Array[]) => Promise<unknown>>
  for (const name of ['hmac', 'digest', 'verifyEd25519', 'verifyEcdsaP256', 'verifyRsaPkcs1'] as const) {
    const original = backend[name] as (...args: Uint8Array[]) => Promise<unknown>
    ;(originals as Record<string, unknown>)[name] = original
    backend[name] = function (this: unknown, ...args: Uint8Array[]) {
      meter.calls++
      meter.bytes += (args[args.length - 1] as Uint8Array).length
      return original.apply(this, args)
    }
  }
})

afterAll(() => {
  Object.assign(getCrypto(), originals)
})

async function cost(
  run: () => Promise<unknown>,
  repeat: number,
): Promise<{ cpu: number; bytes: number; calls: number }> {
  let cpu = Number.POSITIVE_INFINITY
  let bytes = 0
  let calls = 0
  for (let i = 0; i < repeat; i++) {
    meter = { bytes: 0, calls: 0 }
    const before = process.cpuUsage()
    await run()
    const used = process.cpuUsage(before)
    cpu = Math.min(cpu, used.user + used.system)
    bytes = meter.bytes
    calls = meter.calls
  }
  return { cpu: Math.max(cpu, 1), bytes, calls }
}

function hostileRequests(provider: Provider, size: number): { label: string; request: WebhookRequest }[] {
  const names = [...new Set([...(provider.info?.headers ?? []), 'webhook-id', 'x-request-id'])]
  const out: { label: string; request: WebhookRequest }[] = []
  for (const { name, body, contentType } of hostileBodies(size)) {
    for (const [index, pattern] of HEADER_PATTERNS.entries()) {
      const headers: Record<string, string> = { 'content-type': contentType }
      for (const header of names) {
        const lower = header.toLowerCase()
        headers[lower] = /timestamp|-time$|date/.test(lower)
          ? SECONDS
          : /-id$|identifier|delivery/.test(lower)
            ? 'msg_1'
            : pattern
      }
      out.push({
        label: `${name} + header pattern ${index}`,
        request: {
          method: 'POST',
          url: `https://example.com/webhooks?a=${'&a='.repeat(64)}`,
          headers,
          body,
        },
      })
    }
  }
  return out
}

/** A normal signed delivery of `size` bytes (a batch of events): one HMAC over the body, one JSON parse. */
async function normalCost(size: number): Promise<{ cpu: number; bytes: number; calls: number }> {
  const provider = presetSamples.github?.() as Provider
  const event =
    '{"id":"evt_1NG8Du2eZvKYlo2C","type":"invoice.paid","data":{"amount":1999,"currency":"usd","paid":true}},'
  const body = repeatTo(event, size, '{"events":[', '{}]}')
  const request = await signGitHubRequest({ secret: 'sample', body, id: 'd-1', event: 'push' })
  const result = await provider.verify(request, { now: NOW })
  expect(result.ok).toBe(true)
  return cost(() => provider.verify(request, { now: NOW }), 15)
}

describe('hostile input costs a constant factor of a normal delivery', () => {
  const normals = new Map<number, { cpu: number; bytes: number; calls: number }>()
  beforeAll(async () => {
    for (const size of SIZES) normals.set(size, await normalCost(size))
  }, 60_000)

  for (const [name, make] of Object.entries(presets)) {
    it(`${name}()`, async () => {
      const provider = make()
      for (const size of SIZES) {
        const normal = normals.get(size) as { cpu: number; bytes: number; calls: number }
        let worst = { label: '', cpuRatio: 0, cryptoFactor: 0 }
        for (const { label, request } of hostileRequests(provider, size)) {
          let measured = await cost(() => provider.verify(request, { now: NOW }), 2)
          // CPU time on a shared machine has outliers (GC, preemption): a high reading is taken
          // again, and the least of the readings counts. A super-linear path stays high.
          if (measured.cpu / normal.cpu > MAX_CPU_RATIO / 2)
            measured = await cost(() => provider.verify(request, { now: NOW }), 5)
          const cpuRatio = measured.cpu / normal.cpu
          const cryptoFactor = measured.bytes / size
          if (cpuRatio > worst.cpuRatio)
            worst = { label, cpuRatio, cryptoFactor: Math.max(worst.cryptoFactor, cryptoFactor) }
          expect(cryptoFactor, `${label}: bytes hashed / body size at ${size} B`).toBeLessThanOrEqual(MAX_CRYPTO_FACTOR)
          expect(measured.calls, `${label}: crypto calls at ${size} B`).toBeLessThanOrEqual(MAX_CRYPTO_CALLS)
          expect(cpuRatio, `${label}: CPU time / normal delivery at ${size} B`).toBeLessThanOrEqual(MAX_CPU_RATIO)
          worst.cryptoFactor = Math.max(worst.cryptoFactor, cryptoFactor)
        }
        if (process.env.WEBHOOK_INBOX_COST_REPORT) {
          console.log(
            `${name} @${size}: worst CPU ×${worst.cpuRatio.toFixed(1)} (${worst.label}), crypto bytes ×${worst.cryptoFactor.toFixed(1)}`,
          )
        }
      }
    }, 120_000)
  }
})
