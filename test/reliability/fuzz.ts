// A seeded fuzzer for the handler: mutated methods, headers, bodies and URLs, over `handle` and
// over raw HTTP bytes to a Node adapter. Shared by the short CI run and `npm run reliability`.
import { connect } from 'node:net'
import { createWebhookHandler, memoryStore, type WebhookHandler } from '../../src/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { eventBody, PRESETS, type PresetCase, signEvent } from './presets.js'

export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
const int = (random: Random, max: number): number => Math.floor(random() * max)

/** The presets fuzzed: one per scheme family (body HMAC, timestamped, Standard Webhooks, forms, signed headers, URL, token, Ed25519, JWT). */
export const FUZZ_PRESETS = [
  'github',
  'stripe',
  'standardWebhooks',
  'slack (form)',
  'twilio',
  'contentful',
  'linear',
  'hubspot',
  'mailgun',
  'postmark',
  'discord',
  'qstash',
].map((name) => PRESETS.find((c) => c.name === name) as PresetCase)

const METHODS = [
  'POST',
  'post',
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'P\u0000ST',
  'POST ',
  '',
  'X'.repeat(300),
]
const HOSTILE_VALUES = [
  '',
  ' ',
  '\u0000',
  '\r\n',
  '\u0001\u001f\u007f',
  '\uFFFD\uFFFE',
  '\u00ff\u00fe\u00c3\u0028',
  '\uD800',
  '=,;',
  't=,v1=',
  'v1,',
  'sha256=',
  'Basic ',
  'a'.repeat(65_536),
  '9'.repeat(400),
]
const URLS = [
  'https://example.test/webhooks/../../etc/passwd',
  'https://example.test/%2e%2e/%2e%2e/webhooks',
  'https://example.test/webhooks%00',
  'https://example.test//webhooks',
  'https://example.test/webhooks?x=%zz&y=%',
  `https://example.test/webhooks?${'a=1&'.repeat(5000)}`,
  'https://example.test/webhooks#frag',
  'https://example.test/w%C3%28',
  'https://example.test:99999/webhooks',
  'not a url',
  '/relative/path',
  'http://[::1/webhooks',
]

function headerRecord(request: WebhookRequest): Record<string, string | string[]> {
  return { ...(request.headers as Record<string, string | string[]>) }
}

function text(body: WebhookRequest['body']): string {
  return typeof body === 'string' ? body : new TextDecoder().decode(body)
}

/** Hostile bodies of about `size` bytes. */
export const HOSTILE_BODIES = {
  deepJson: (size: number) => {
    const depth = Math.max(1, Math.floor((size - 40) / 2))
    return `{"id":"evt_deep","type":"t","d":${'['.repeat(depth)}${']'.repeat(depth)}}`
  },
  deepObjects: (size: number) => {
    const depth = Math.max(1, Math.floor((size - 40) / 6))
    return `{"id":"evt_deepo","type":"t","d":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`
  },
  hugeNumber: (size: number) => `{"id":"evt_num","type":"t","n":1${'0'.repeat(Math.max(1, size - 40))}}`,
  manyKeys: (size: number) => {
    const parts: string[] = ['"id":"evt_keys"', '"type":"t"']
    for (let i = 0, length = 30; length < size; i++) {
      const part = `"k${i}":0`
      parts.push(part)
      length += part.length + 1
    }
    return `{${parts.join(',')}}`
  },
  repeatedFormKeys: (size: number) => `${'a=1&'.repeat(Math.max(1, Math.floor(size / 4)))}trigger_id=evt_form`,
  manyFormKeys: (size: number) => {
    const parts: string[] = ['trigger_id=evt_formk']
    for (let i = 0, length = 20; length < size; i++) {
      const part = `k${i}=${i}`
      parts.push(part)
      length += part.length + 1
    }
    return parts.join('&')
  },
}

function mutateBody(random: Random, body: string): string | Uint8Array {
  switch (int(random, 9)) {
    case 0:
      return Uint8Array.of(0xff, 0xfe, 0xc3, 0x28, ...new TextEncoder().encode(body), 0x80)
    case 1:
      return HOSTILE_BODIES.deepJson(1 + int(random, 60_000))
    case 2:
      return HOSTILE_BODIES.hugeNumber(1 + int(random, 20_000))
    case 3:
      return HOSTILE_BODIES.repeatedFormKeys(1 + int(random, 40_000))
    case 4: {
      const bytes = new Uint8Array(int(random, 2048))
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(random, 256)
      return bytes
    }
    case 5:
      return body.slice(0, int(random, body.length + 1))
    case 6:
      return ''
    case 7:
      return `{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}},${body.slice(1)}`
    default: {
      const at = int(random, body.length + 1)
      return body.slice(0, at) + String.fromCharCode(int(random, 0x10000)) + body.slice(at)
    }
  }
}

function mutateHeaders(random: Random, c: PresetCase, headers: Record<string, string | string[]>): void {
  const names = Object.keys(headers)
  if (names.length === 0) names.push('x-fuzz')
  const signed = c.signedHeaders.length > 0 ? c.signedHeaders : names
  switch (int(random, 8)) {
    case 0: {
      const name = pick(random, names)
      headers[name] = [String(headers[name]), pick(random, HOSTILE_VALUES)]
      return
    }
    case 1: {
      const name = pick(random, signed)
      const value = String(headers[name] ?? 'v1=00').slice(0, 200)
      headers[name] = Array.from({ length: 10_000 }, () => value).join(',')
      return
    }
    case 2:
      headers[pick(random, signed)] = pick(random, HOSTILE_VALUES)
      return
    case 3:
      delete headers[pick(random, names)]
      return
    case 4:
      for (let i = 0; i < 2000; i++) headers[`x-fuzz-${i}`] = pick(random, HOSTILE_VALUES).slice(0, 64)
      return
    case 5:
      headers[pick(random, ['content-type', 'Content-Type', 'CONTENT-TYPE'])] = pick(random, [
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'text/plain',
        'multipart/form-data; boundary=x',
        '\u0000',
      ])
      return
    case 6: {
      const name = pick(random, names)
      headers[name.toUpperCase()] = pick(random, HOSTILE_VALUES)
      return
    }
    default:
      headers[pick(random, signed)] = Array.from({ length: 10_000 }, () => 'v1=aa').join(' ')
  }
}

export interface FuzzReport {
  cases: number
  resigned: number
  crashes: string[]
  serverErrors: string[]
  statuses: Record<number, number>
}

function newReport(): FuzzReport {
  return { cases: 0, resigned: 0, crashes: [], serverErrors: [], statuses: {} }
}

function handlerFor(c: PresetCase): WebhookHandler<unknown> {
  return createWebhookHandler({
    provider: c.create([c.secrets[0]]),
    store: memoryStore({ maxEntries: 10_000 }),
    now: () => NOW,
    enqueue: () => {},
    onWarning: () => {},
  })
}

/** A seeded mutation of a valid delivery; `resign` re-signs a mutated text body so it reaches the parser. */
async function mutant(
  random: Random,
  c: PresetCase,
  index: number,
): Promise<{ request: WebhookRequest; resigned: boolean }> {
  const base = await signEvent(c, { secret: c.secrets[0], id: `evt_fz_${index}`, note: 'fuzz', now: NOW })
  let request: WebhookRequest = { ...base, headers: headerRecord(base) }
  const mutations = 1 + int(random, 3)
  let body: string | Uint8Array = base.body
  let resigned = false
  for (let m = 0; m < mutations; m++) {
    const what = int(random, 4)
    if (what === 0) request = { ...request, method: pick(random, METHODS) }
    else if (what === 1) mutateHeaders(random, c, request.headers as Record<string, string | string[]>)
    else if (what === 2) request = { ...request, url: pick(random, URLS) }
    else body = mutateBody(random, text(base.body))
  }
  if (body !== base.body && typeof body === 'string' && random() < 0.5) {
    const signed = await c.signRaw({ secret: c.secrets[0], body, id: `evt_fz_${index}`, now: NOW })
    request = { ...signed, method: request.method }
    resigned = true
  } else {
    request = { ...request, body }
  }
  return { request, resigned }
}

/** Fuzzes `handle` of one handler per fuzzed preset with `cases` seeded mutants. */
export async function fuzzHandle(cases: number, seed: number): Promise<FuzzReport> {
  const random = prng(seed)
  const report = newReport()
  const handlers = new Map(FUZZ_PRESETS.map((c) => [c, handlerFor(c)]))
  for (let i = 0; i < cases; i++) {
    const c = pick(random, FUZZ_PRESETS)
    const { request, resigned } = await mutant(random, c, i)
    report.cases++
    if (resigned) report.resigned++
    try {
      const response = await (handlers.get(c) as WebhookHandler<unknown>).handle(request)
      report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1
      if (response.status >= 500 && report.serverErrors.length < 20) {
        report.serverErrors.push(`${c.name} case ${i}: ${response.status} ${response.body.slice(0, 200)}`)
      }
    } catch (error) {
      if (report.crashes.length < 20) report.crashes.push(`${c.name} case ${i}: ${String(error).slice(0, 200)}`)
    }
  }
  return report
}

/** Sends raw bytes to 127.0.0.1:port and resolves to the status code of the answer (0 when none). */
export function rawRequest(port: number, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = () => {
      const head = Buffer.concat(chunks).toString('latin1')
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0))
    }
    socket.setTimeout(10_000, () => socket.destroy())
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('close', done)
    socket.on('error', () => {})
    socket.end(bytes)
  })
}

const encoder = new TextEncoder()

function latin1(textValue: string): Uint8Array {
  return Uint8Array.from(textValue, (ch) => ch.charCodeAt(0) & 0xff)
}

/** A raw HTTP/1.1 request for a mutant: header bytes as latin1 (invalid UTF-8 included), body as bytes. */
export function httpBytes(random: Random, request: WebhookRequest): Uint8Array {
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    url = new URL('https://example.test/webhooks')
  }
  const target = pick(random, [
    `${url.pathname}${url.search}`,
    '/webhooks/../webhooks',
    '/%2e%2e/webhooks',
    '/webhooks%00',
    '*',
    `/${'a/'.repeat(2000)}`,
    '/webhooks?%zz',
  ])
  const body = typeof request.body === 'string' ? encoder.encode(request.body) : request.body
  const lines = [`${request.method || 'POST'} ${target} HTTP/1.1`, 'host: 127.0.0.1']
  for (const [name, value] of Object.entries(request.headers as Record<string, string | string[]>)) {
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`)
  }
  const lengthMode = int(random, 6)
  if (lengthMode === 0) lines.push('transfer-encoding: chunked')
  else if (lengthMode === 1) lines.push(`content-length: ${body.length}`, `content-length: ${body.length + 1}`)
  else lines.push(`content-length: ${body.length}`)
  lines.push('connection: close')
  const head = latin1(`${lines.join('\r\n')}\r\n\r\n`)
  let payload = body
  if (lengthMode === 0)
    payload = encoder.encode(`${body.length.toString(16)}\r\n${new TextDecoder().decode(body)}\r\n0\r\n\r\n`)
  const bytes = new Uint8Array(head.length + payload.length)
  bytes.set(head)
  bytes.set(payload, head.length)
  return bytes
}

/** Fuzzes a Node adapter over real HTTP with `cases` seeded mutants. */
export async function fuzzHttp(
  port: number,
  presetOf: (c: PresetCase) => void,
  cases: number,
  seed: number,
): Promise<FuzzReport> {
  const random = prng(seed)
  const report = newReport()
  for (let i = 0; i < cases; i++) {
    const c = pick(random, FUZZ_PRESETS)
    presetOf(c)
    const { request, resigned } = await mutant(random, c, i)
    report.cases++
    if (resigned) report.resigned++
    const status = await rawRequest(port, httpBytes(random, request))
    report.statuses[status] = (report.statuses[status] ?? 0) + 1
    if ((status >= 500 || status === 0) && report.serverErrors.length < 20) {
      report.serverErrors.push(`${c.name} case ${i}: ${status}`)
    }
  }
  return report
}

/** CPU microseconds (user + system) that `work` takes, awaited. */
async function cpuTime(work: () => unknown): Promise<number> {
  const start = process.cpuUsage()
  await work()
  const used = process.cpuUsage(start)
  return used.user + used.system
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** CPU microseconds (user + system) spent by `run`, the median of `repeat` runs. */
export async function cpuMicros(run: (rep: number) => Promise<unknown>, repeat: number): Promise<number> {
  const samples: number[] = []
  for (let rep = 0; rep < repeat; rep++) samples.push(await cpuTime(() => run(rep)))
  return median(samples)
}

/**
 * CPU microseconds `run` spends beyond `baseline` on the same input, the median of `repeat` paired
 * samples. Each pair is measured back to back, in alternating order, so a collection of one side's
 * garbage, or a burst of load from another process, lands on both sides alike instead of on
 * whichever ran second: two medians taken apart differ by that noise (on two shared cores one CI run
 * billed 25 valid deliveries' worth of it to a single side).
 */
export async function pairedCpuMicros(
  run: (rep: number) => Promise<unknown>,
  baseline: (rep: number) => unknown,
  repeat: number,
): Promise<{ runMicros: number; baselineMicros: number; excessMicros: number }> {
  const runs: number[] = []
  const baselines: number[] = []
  const excess: number[] = []
  for (let rep = 0; rep < repeat; rep++) {
    let ran: number
    let base: number
    if (rep % 2 === 0) {
      ran = await cpuTime(() => run(rep))
      base = await cpuTime(() => baseline(rep))
    } else {
      base = await cpuTime(() => baseline(rep))
      ran = await cpuTime(() => run(rep))
    }
    runs.push(ran)
    baselines.push(base)
    excess.push(ran - base)
  }
  return { runMicros: median(runs), baselineMicros: median(baselines), excessMicros: median(excess) }
}

/**
 * Hostile input may cost this many times a valid delivery of the same size, counting only the work
 * beyond V8's own `JSON.parse` of the same bytes (which every receiver that hands on a parsed event
 * pays: for 256 KiB of nested arrays it alone is about 70x the parse of one long string, measured
 * here, and more than 20x a whole valid delivery once verification got cheaper). Our own code has
 * no such excuse: the quadratic form parser cost 5,000x.
 */
export const COST_FACTOR = 25
/** Cost for 4x the bytes may grow this much (linear is 4, noise on a shared machine takes it to about 7; quadratic is 16). */
export const GROWTH_FACTOR = 10

export interface CostRow {
  preset: string
  input: string
  bytes: number
  validMicros: number
  hostileMicros: number
  /** V8's `JSON.parse` of the hostile body alone (0 for form bodies, which our own code parses). */
  parseMicros: number
  /** The median paired excess of hostile over parse, per valid delivery: our work on the hostile input. */
  ratio: number
  status: number
}

/** A valid delivery in the preset's own shape, padded to about `size` bytes. */
export function validBodyOfSize(c: PresetCase, id: string, size: number): string {
  const make = (note: string) =>
    c.makeBody ? c.makeBody({ secret: c.secrets[0], id, note, now: NOW }) : eventBody(id, note)
  return make('x'.repeat(Math.max(0, size - make('').length)))
}

/**
 * Cost of hostile inputs against a valid delivery of the same size, in CPU time within one run.
 * Hostile bodies are signed, so they reach the parser (the quadratic form parser sat there).
 */
export async function costBound(size: number, repeat: number): Promise<CostRow[]> {
  const rows: CostRow[] = []
  const jsonPresets = ['github', 'stripe', 'standardWebhooks'].map(
    (n) => PRESETS.find((c) => c.name === n) as PresetCase,
  )
  const formPresets = ['slack (form)', 'twilio'].map((n) => PRESETS.find((c) => c.name === n) as PresetCase)
  let counter = 0
  const measure = async (
    c: PresetCase,
    input: string,
    build: (id: string) => Promise<WebhookRequest>,
    json = jsonPresets.includes(c),
  ) => {
    const handler = handlerFor(c)
    const validRequests = await Promise.all(
      Array.from({ length: repeat }, () => {
        const id = `evt_cost_${counter++}`
        return c.signRaw({ secret: c.secrets[0], body: validBodyOfSize(c, id, size), id, now: NOW })
      }),
    )
    const hostileRequests = await Promise.all(Array.from({ length: repeat }, () => build(`evt_cost_${counter++}`)))
    const bytes = text(hostileRequests[0]?.body ?? '').length
    // Warm both paths once so the JIT does not bill the first one.
    await handler.handle(validRequests[0] as WebhookRequest)
    await handler.handle(hostileRequests[0] as WebhookRequest)
    const validMicros = await cpuMicros((rep) => handler.handle(validRequests[rep] as WebhookRequest), repeat)
    let status = 0
    const hostileText = text(hostileRequests[0]?.body ?? '')
    const hostile = await pairedCpuMicros(
      async (rep) => {
        status = (await handler.handle(hostileRequests[rep] as WebhookRequest)).status
      },
      () => (json ? JSON.parse(hostileText) : undefined),
      repeat,
    )
    rows.push({
      preset: c.name,
      input,
      bytes,
      validMicros,
      hostileMicros: hostile.runMicros,
      parseMicros: json ? hostile.baselineMicros : 0,
      ratio: Math.max(0, hostile.excessMicros) / Math.max(1, validMicros),
      status,
    })
  }
  for (const c of jsonPresets) {
    for (const [input, make] of [
      ['deeply nested arrays', HOSTILE_BODIES.deepJson],
      ['deeply nested objects', HOSTILE_BODIES.deepObjects],
      ['a huge number', HOSTILE_BODIES.hugeNumber],
      ['many keys', HOSTILE_BODIES.manyKeys],
    ] as const) {
      await measure(c, input, (id) => c.signRaw({ secret: c.secrets[0], body: make(size), id, now: NOW }))
    }
    await measure(c, '10,000 signature entries', async (id) => {
      const signed = await c.signRaw({ secret: c.secrets[0], body: validBodyOfSize(c, id, size), id, now: NOW })
      const headers = headerRecord(signed)
      const name = c.signedHeaders.find((h) => /signature/.test(h)) as string
      headers[name] = Array.from({ length: 10_000 }, () => String(headers[name])).join(',')
      return { ...signed, headers }
    })
  }
  for (const c of formPresets) {
    for (const [input, make] of [
      ['repeated form keys', HOSTILE_BODIES.repeatedFormKeys],
      ['many form keys', HOSTILE_BODIES.manyFormKeys],
    ] as const) {
      await measure(c, input, (id) => c.signRaw({ secret: c.secrets[0], body: make(size), id, now: NOW }))
    }
  }
  return rows
}
