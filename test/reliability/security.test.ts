// Security properties over every preset (AWS SNS and PayPal included), with fast-check: tampering is refused, signatures do not
// cross providers, dedupe keys come from signed material only, nothing sensitive leaks into
// errors or hooks, and hostile keys pollute no prototype.
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import fc from 'fast-check'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createInboxWorker, createWebhookHandler, memoryInbox, memoryStore } from '../../src/index.js'
import { withOpenTelemetry } from '../../src/otel/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { KNOWN_FAILURES } from './known-failures.js'
import { eventBody, PRESETS, type PresetCase, signEvent } from './presets.js'
import { record, runs, SEED } from './scale.js'

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0)
const NOW_S = String(Math.floor(NOW / 1000))
const RUNS = runs(12, 200)
const params = { seed: SEED, numRuns: RUNS }

const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{6,24}$/)
const noteArb = fc.string({ minLength: 1, maxLength: 40 })
const markerArb = fc.stringMatching(/^[A-Za-z0-9]{16}$/).map((m) => `mk${m}`)

function headersOf(request: WebhookRequest): Record<string, string> {
  return request.headers as Record<string, string>
}

function bodyText(request: WebhookRequest): string {
  return typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)
}

/** Values of the headers that carry a signature or a credential. */
function credentials(request: WebhookRequest): string[] {
  return Object.entries(headersOf(request))
    .filter(
      ([name]) =>
        /signature|token|authorization|verification|hmac|-sig$/i.test(name) && !/timestamp|idempotency/i.test(name),
    )
    .map(([, value]) => value)
}

function withHeader(request: WebhookRequest, name: string, value: string): WebhookRequest {
  return { ...request, headers: { ...headersOf(request), [name]: value } }
}

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1)
}

function isForm(request: WebhookRequest): boolean {
  return /x-www-form-urlencoded/.test(headersOf(request)['content-type'] ?? '')
}

function sameForm(a: string, b: string): boolean {
  const entries = (s: string) => JSON.stringify([...new URLSearchParams(s)].sort())
  return entries(a) === entries(b)
}

async function refused(c: PresetCase, request: WebhookRequest, secrets = [c.secrets[0]]): Promise<boolean> {
  return !(await c.create(secrets).verify(request, { now: NOW })).ok
}

describe('every preset accepts what its signer signs (the ground the properties stand on)', () => {
  record('presets', { count: PRESETS.length })
  it.each(PRESETS.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const request = await signEvent(c, { secret: c.secrets[0], id: 'evt_base_1', note: 'base', now: NOW })
    const result = await c.create([c.secrets[0]]).verify(request, { now: NOW })
    expect(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`).toBe(true)
  })
})

describe('tampering is refused', () => {
  for (const c of PRESETS) {
    it.runIf(c.bodySigned)(`${c.name}: any change to one byte of the body`, async () => {
      await fc.assert(
        fc.asyncProperty(idArb, noteArb, fc.nat(), fc.integer({ min: 32, max: 126 }), async (id, note, at, code) => {
          const request = await signEvent(c, { secret: c.secrets[0], id, note, now: NOW })
          const text = bodyText(request)
          const index = at % text.length
          const changed = replaceAt(text, index, String.fromCharCode(code))
          fc.pre(changed !== text)
          // Form fields are signed decoded (Twilio): `+` and a space are the same field.
          fc.pre(!isForm(request) || !sameForm(changed, text))
          expect(await refused(c, { ...request, body: changed })).toBe(true)
        }),
        params,
      )
    })

    it.runIf(c.signedHeaders.length > 0)(`${c.name}: any change to one character of a signed header`, async () => {
      await fc.assert(
        fc.asyncProperty(idArb, fc.nat(), fc.nat(), fc.integer({ min: 33, max: 126 }), async (id, which, at, code) => {
          const request = await signEvent(c, { secret: c.secrets[0], id, note: 'n', now: NOW })
          const present = (c.tamperHeaders ?? c.signedHeaders).filter((h) => headersOf(request)[h] !== undefined)
          const name = present[which % present.length] as string
          const value = headersOf(request)[name] as string
          const index = at % value.length
          const char = String.fromCharCode(code)
          // Hex decodes case-insensitively: `a` and `A` are the same signature byte.
          fc.pre(char.toLowerCase() !== (value[index] as string).toLowerCase())
          expect(await refused(c, withHeader(request, name, replaceAt(value, index, char)))).toBe(true)
        }),
        params,
      )
    })

    it(`${c.name}: a signature made with another secret`, async () => {
      const other = c.anySecret
        ? fc.string({ minLength: 1, maxLength: 64 }).filter((s) => s !== c.secrets[0])
        : fc.constant(c.secrets[1])
      await fc.assert(
        fc.asyncProperty(idArb, noteArb, other, async (id, note, secret) => {
          expect(await refused(c, await signEvent(c, { secret, id, note, now: NOW }))).toBe(true)
        }),
        params,
      )
    })
  }

  it('the timestamp: a signature moved to another second within the tolerance', async () => {
    let covered = 0
    for (const c of PRESETS) {
      const request = await signEvent(c, { secret: c.secrets[0], id: 'evt_ts', note: 'n', now: NOW })
      const stamps = [NOW_S, String(NOW)]
      const inHeaders = c.signedHeaders.filter((h) => stamps.some((s) => headersOf(request)[h]?.includes(s)))
      const inBody = c.bodySigned && stamps.some((s) => bodyText(request).includes(s))
      if (inHeaders.length === 0 && !inBody) continue
      covered++
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.boolean(), async (delta, later) => {
          const shift = (s: string) =>
            s
              .replaceAll(String(NOW), String(NOW + (later ? 1 : -1) * delta * 1000))
              .replaceAll(NOW_S, String(Number(NOW_S) + (later ? delta : -delta)))
          const headers = { ...headersOf(request) }
          for (const h of inHeaders) headers[h] = shift(headers[h] as string)
          const moved = { ...request, headers, body: inBody ? shift(bodyText(request)) : request.body }
          expect(await refused(c, moved), c.name).toBe(true)
        }),
        { seed: SEED, numRuns: Math.max(3, Math.floor(RUNS / 4)) },
      )
    }
    record('timestamp moved within tolerance is refused', { presets: covered })
    expect(covered).toBeGreaterThanOrEqual(15)
  })

  it('the id: a signed id replaced by another', async () => {
    let covered = 0
    for (const c of PRESETS) {
      const request = await signEvent(c, { secret: c.secrets[0], id: 'evt_orig_0001', note: 'n', now: NOW })
      const inHeaders = c.signedHeaders.filter((h) => headersOf(request)[h]?.includes('evt_orig_0001'))
      const inBody = c.bodySigned && bodyText(request).includes('evt_orig_0001')
      if (inHeaders.length === 0 && !inBody) continue
      covered++
      await fc.assert(
        fc.asyncProperty(
          idArb.filter((id) => id !== 'evt_orig_0001'),
          async (id) => {
            const headers = { ...headersOf(request) }
            for (const h of inHeaders) headers[h] = (headers[h] as string).replaceAll('evt_orig_0001', id)
            const body = inBody ? bodyText(request).replaceAll('evt_orig_0001', id) : request.body
            expect(await refused(c, { ...request, headers, body }), c.name).toBe(true)
          },
        ),
        { seed: SEED, numRuns: Math.max(3, Math.floor(RUNS / 4)) },
      )
    }
    record('signed id replaced is refused', { presets: covered })
    expect(covered).toBeGreaterThan(20)
  })
})

describe('a signature for one provider never passes another provider’s verifier', () => {
  // Providers that deliver through the same wire format are the same scheme (Clerk and Resend send
  // through Svix, which is Standard Webhooks, as is GitLab's signing token; Meta and GitHub both
  // send X-Hub-Signature-256; Bitbucket and Jira both send X-Hub-Signature sha256): a shared secret
  // verifies by design, so each is one group here.
  const GROUP: Record<string, string> = {
    svix: 'svix',
    clerk: 'svix',
    resend: 'svix',
    standardWebhooks: 'svix',
    'gitlab (signing token)': 'svix',
    bitbucket: 'hub-sha256',
    jira: 'hub-sha256',
    slack: 'slack',
    'slack (form)': 'slack',
    github: 'hub-256',
    meta: 'hub-256',
  }
  const group = (c: PresetCase) => GROUP[c.name] ?? c.name

  it('with the same secret, over every ordered pair of schemes', async () => {
    let pairs = 0
    const crossed: string[] = []
    for (const from of PRESETS) {
      const request = await signEvent(from, { secret: from.secrets[0], id: 'evt_cross_1', note: 'n', now: NOW })
      for (const to of PRESETS) {
        if (group(from) === group(to)) continue
        pairs++
        const secret = to.anySecret && from.anySecret ? from.secrets[0] : to.secrets[0]
        if (!(await refused(to, request, [secret, to.secrets[0]]))) crossed.push(`${from.name} -> ${to.name}`)
      }
    }
    record('signatures do not cross providers', { pairs, crossed: crossed.length })
    expect(crossed).toEqual([])
  })
})

describe('dedupe keys come from signed material only', () => {
  async function replayed(c: PresetCase, id: string, note: string, fresh: string[]) {
    let processed = 0
    const handler = createWebhookHandler({
      provider: c.create([c.secrets[0]]),
      store: memoryStore(),
      now: () => NOW,
      enqueue: () => {
        processed++
      },
    })
    const request = await signEvent(c, { secret: c.secrets[0], id, note, now: NOW })
    const first = await handler.handle(request)
    const headers = { ...headersOf(request) }
    let i = 0
    for (const name of Object.keys(headers)) {
      if (c.signedHeaders.includes(name.toLowerCase()) || name.toLowerCase() === 'content-type') continue
      headers[name] = fresh[i++ % fresh.length] as string
    }
    const second = await handler.handle({ ...request, headers })
    return { first, second, processed }
  }

  for (const c of PRESETS) {
    const known = KNOWN_FAILURES[`dedupe:${c.name}`]
    ;(known ? it.fails : it)(
      `${c.name}: a replay with fresh unsigned headers is a duplicate or refused${known ? ` (known failure: ${known})` : ''}`,
      async () => {
        await fc.assert(
          fc.asyncProperty(idArb, noteArb, fc.array(idArb, { minLength: 1, maxLength: 4 }), async (id, note, fresh) => {
            const { first, second, processed } = await replayed(c, id, note, fresh)
            expect(first.status).toBe(200)
            expect(processed, `second answer ${second.status} ${second.body}`).toBe(1)
          }),
          params,
        )
      },
    )
  }
})

describe('no secret, signature or body fragment in any error, hook argument or refusal', () => {
  for (const c of PRESETS) {
    it(c.name, async () => {
      await fc.assert(
        fc.asyncProperty(
          idArb,
          markerArb,
          fc.constantFrom('valid', 'body', 'secret', 'header', 'garbage', 'enqueue-fails'),
          fc.nat(),
          async (id, marker, kind, at) => {
            const seen: unknown[] = []
            const accepted: Record<string, string>[] = []
            const handler = createWebhookHandler({
              provider: c.create([c.secrets[0]]),
              store: memoryStore(),
              now: () => NOW,
              enqueue: () => {
                if (kind === 'enqueue-fails') throw new Error('queue down')
              },
              onAccepted: (event) => accepted.push(event.headers),
              onRejected: (info) => seen.push(info),
              onError: (info) => seen.push(info),
              onDuplicate: (info) => seen.push(info),
              onWarning: (message) => seen.push(message),
            })
            const signed = await signEvent(c, {
              secret: kind === 'secret' ? c.secrets[1] : c.secrets[0],
              id,
              note: marker,
              now: NOW,
            })
            let request = signed
            const text = bodyText(signed)
            if (kind === 'body') request = { ...signed, body: text.replace(marker, `${marker}X`) }
            if (kind === 'header' && c.signedHeaders[0]) {
              const name = c.signedHeaders[at % c.signedHeaders.length] as string
              const value = headersOf(signed)[name] ?? ''
              request = withHeader(signed, name, `${value}0`)
            }
            if (kind === 'garbage') request = withHeader(signed, c.signedHeaders[0] ?? 'x-any', `${marker}\u0000,=;`)
            const response = await handler.handle(request)
            const secrets = [...c.secrets]
            const signatures = [...credentials(signed), ...bodySignatures(signed)]
            const forbidden = [...secrets, ...signatures, marker]
            const texts = [...seen.map(describeValue), response.status >= 400 ? response.body : '']
            for (const text of texts)
              for (const f of forbidden) expect(text.includes(f), `${kind}: ${text}`).toBe(false)
            void accepted
          },
        ),
        params,
      )
    })
  }
})

describe('no secret, signature or body fragment in the default logger, OpenTelemetry spans or metrics', () => {
  // The in-memory SDK: every finished span and every metric point, read back after each case.
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const telemetry = { tracer: tracerProvider.getTracer('reliability'), meter: meterProvider.getMeter('reliability') }
  afterAll(() => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]))

  async function telemetryTexts(): Promise<string[]> {
    const texts = spans.getFinishedSpans().map((span) =>
      JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
        status: span.status,
        links: span.links.map((l) => l.attributes),
      }),
    )
    spans.reset()
    metricExporter.reset()
    await reader.forceFlush()
    for (const resource of metricExporter.getMetrics())
      for (const scope of resource.scopeMetrics)
        for (const metric of scope.metrics)
          texts.push(`${metric.descriptor.name} ${JSON.stringify(metric.dataPoints.map((p) => p.attributes))}`)
    return texts
  }

  for (const c of PRESETS) {
    it(c.name, async () => {
      const printed: unknown[][] = []
      const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          printed.push(args)
        }),
      )
      try {
        await fc.assert(
          fc.asyncProperty(
            idArb,
            markerArb,
            fc.constantFrom('valid', 'body', 'secret', 'header', 'garbage', 'enqueue-fails'),
            fc.nat(),
            async (id, marker, kind, at) => {
              printed.length = 0
              await telemetryTexts()
              // No hooks and no logger: the default logger (console) gets every kind.
              const handler = createWebhookHandler(
                withOpenTelemetry(
                  {
                    provider: c.create([c.secrets[0]]),
                    store: memoryStore(),
                    now: () => NOW,
                    enqueue: async () => {
                      // The default logger prints what enqueue threw (the user's own text), so this
                      // message carries nothing from the request.
                      if (kind === 'enqueue-fails') throw new Error('queue down')
                    },
                  },
                  telemetry,
                ),
              )
              // The inbox path too: its worker's process throws a message carrying the body marker
              // and the secret, which spans and metrics never record (the otel module's promise).
              const inbox = memoryInbox()
              const inboxHandler = createWebhookHandler(
                withOpenTelemetry({ provider: c.create([c.secrets[0]]), inbox, now: () => NOW }, telemetry),
              )
              const workerOptions = withOpenTelemetry(
                {
                  inbox,
                  retry: { maxAttempts: 2, backoffMs: () => 0 },
                  process: () => {
                    throw new Error(`process failed on ${marker} with ${c.secrets[0]}`)
                  },
                },
                telemetry,
              )
              const worker = createInboxWorker(workerOptions)
              const signed = await signEvent(c, {
                secret: kind === 'secret' ? c.secrets[1] : c.secrets[0],
                id,
                note: marker,
                now: NOW,
              })
              let request = signed
              if (kind === 'body') request = { ...signed, body: bodyText(signed).replace(marker, `${marker}X`) }
              if (kind === 'header' && c.signedHeaders[0]) {
                const name = c.signedHeaders[at % c.signedHeaders.length] as string
                request = withHeader(signed, name, `${headersOf(signed)[name] ?? ''}0`)
              }
              if (kind === 'garbage') request = withHeader(signed, c.signedHeaders[0] ?? 'x-any', `${marker}\u0000,=;`)
              await handler.handle(request)
              await inboxHandler.handle(request)
              await worker.drain()
              // Closing the instrumented inbox removes its lag gauge callback: without it every
              // later collection would read the stats of every inbox of the run (quadratic).
              await workerOptions.inbox.close?.()
              const forbidden = [...c.secrets, ...credentials(signed), ...bodySignatures(signed), marker]
              const texts = [
                ...printed.map((args) => args.map((a) => describeValue(a)).join(' ')),
                ...(await telemetryTexts()),
              ]
              expect(texts.length, 'the default logger or the telemetry recorded something').toBeGreaterThan(0)
              for (const text of texts)
                for (const f of forbidden) expect(text.includes(f), `${kind}: ${text}`).toBe(false)
            },
          ),
          params,
        )
      } finally {
        for (const spy of spies) spy.mockRestore()
      }
    })
  }
})

/** Signatures carried in the body (AWS SNS signs an envelope and sends its `Signature` field). */
function bodySignatures(request: WebhookRequest): string[] {
  try {
    const signature = (JSON.parse(bodyText(request)) as { Signature?: unknown }).Signature
    return typeof signature === 'string' ? [signature] : []
  } catch {
    return []
  }
}

describe('event headers (onAccepted, the queue message) carry no credential and no signature', () => {
  for (const c of PRESETS) {
    const known = KNOWN_FAILURES[`event-headers:${c.name}`]
    ;(known ? it.fails : it)(`${c.name}${known ? ` (known failure: ${known})` : ''}`, async () => {
      const events: Record<string, string>[] = []
      const handler = createWebhookHandler({
        provider: c.create([c.secrets[0]]),
        store: memoryStore(),
        now: () => NOW,
        enqueue: (event) => {
          events.push(event.headers)
        },
        onAccepted: (event) => events.push(event.headers),
      })
      const request = await signEvent(c, { secret: c.secrets[0], id: 'evt_headers_1', note: 'n', now: NOW })
      expect((await handler.handle(request)).status).toBe(200)
      const sensitive = [...c.secrets, ...credentials(request)]
      expect(events.length).toBe(2)
      for (const headers of events) {
        const text = JSON.stringify(headers)
        for (const value of sensitive) expect(text.includes(value), text).toBe(false)
      }
    })
  }
})

/** Everything a hook argument exposes: messages, codes, causes, own properties, stacks. */
function describeValue(value: unknown, depth = 0): string {
  if (depth > 4 || value === null || value === undefined) return String(value)
  if (typeof value !== 'object') return String(value)
  const parts: string[] = []
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', describeValue(value.cause, depth + 1))
  for (const key of Object.getOwnPropertyNames(value)) {
    parts.push(key, describeValue((value as Record<string, unknown>)[key], depth + 1))
  }
  return parts.join(' ')
}

describe('prototype pollution: hostile keys change no prototype and no option', () => {
  const HOSTILE_JSON =
    '"__proto__": {"polluted": "yes", "id": "evil"}, "constructor": {"prototype": {"polluted": "yes"}}, "prototype": {"polluted": "yes"}, '
  const HOSTILE_FORM = [
    ['__proto__', 'polluted'],
    ['__proto__[polluted]', 'yes'],
    ['constructor[prototype][polluted]', 'yes'],
    ['constructor', 'x'],
    ['prototype', 'y'],
    ['hasOwnProperty', 'z'],
    ['toString', 'w'],
  ]

  function clean(): void {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.prototype).not.toHaveProperty('id')
    expect(typeof Object.prototype.toString).toBe('function')
  }

  for (const c of PRESETS) {
    it(c.name, async () => {
      const options = { maxBodyBytes: 1_048_576, enqueueTimeoutMs: 5000, leaseMs: 60_000 }
      const snapshot = JSON.stringify(options)
      const events: { payload: unknown }[] = []
      const handler = createWebhookHandler({
        provider: c.create([c.secrets[0]]),
        store: memoryStore(),
        now: () => NOW,
        ...options,
        enqueue: (event) => {
          events.push(event)
        },
      })
      const eventOptions = { secret: c.secrets[0], id: 'evt_proto_1', note: 'n', now: NOW }
      const base = await signEvent(c, eventOptions)
      const text = c.makeBody ? c.makeBody(eventOptions) : eventBody('evt_proto_1', 'n')
      let body = text
      if (isForm(base)) {
        const form = new URLSearchParams(text)
        for (const [k, v] of HOSTILE_FORM) form.append(k as string, v as string)
        body = form.toString()
      } else if (text.trimStart().startsWith('{')) {
        body = `{${HOSTILE_JSON}${text.trimStart().slice(1)}`
      } else if (text.trimStart().startsWith('[{')) {
        body = `[{${HOSTILE_JSON}${text.trimStart().slice(2)}`
      }
      const hostile = await c.signRaw({ secret: c.secrets[0], body, id: 'evt_proto_1', now: NOW })
      const response = await handler.handle(hostile)
      expect(response.status).toBeLessThan(500)
      clean()
      expect(JSON.stringify(options)).toBe(snapshot)
      expect(handler.settings.maxBodyBytes).toBe(1_048_576)
      for (const event of events) {
        const payload = event.payload as Record<string, unknown> | undefined
        if (payload && typeof payload === 'object') {
          const proto = Object.getPrototypeOf(payload)
          expect(proto === Object.prototype || proto === null || Array.isArray(payload)).toBe(true)
        }
      }
    })
  }
})
