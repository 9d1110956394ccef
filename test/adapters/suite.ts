import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import type { AdapterOptions, HandlerSource } from '../../src/adapters/shared.js'
import { createWebhookHandler, memoryStore, type WebhookEvent, type WebhookHandler } from '../../src/index.js'
import { defineProvider, dropbox, github, hmac, meta, slack, stripe, twilio } from '../../src/providers/index.js'
import {
  signGitHubRequest,
  signHmacRequest,
  signSlackRequest,
  signStripeRequest,
  signTwilioRequest,
} from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { signHmac, verifyHmac } from '../../src/verifiers/index.js'

/** A server started for one test; `url` is the origin, without a trailing slash. */
export interface AdapterServer {
  url: string
  close(): Promise<void>
}

/** What each framework's test file gives the suite. */
export interface AdapterUnderTest {
  name: string
  /**
   * Serves the adapter built from `handler` (with `adapter` options) for every method at
   * `path`, on 127.0.0.1 port 0, with the framework's defaults.
   */
  start(handler: HandlerSource, options: StartOptions): Promise<AdapterServer>
  /**
   * The same, with a body parser mounted first that parses JSON and keeps no raw bytes
   * (`express.json()`, `await c.req.json()`, ...). Omitted where the framework has no such thing.
   */
  startBehindParser?(handler: HandlerSource, options: StartOptions): Promise<AdapterServer>
}

export interface StartOptions {
  path: string
  adapter?: AdapterOptions
}

export const PATH = '/hooks/in'
const MIB = 1024 * 1024
const STRIPE_SECRET = 'whsec_adapter_suite'
const GITHUB_SECRET = 'github-adapter-suite'
const BYTES_SECRET = 'bytes-adapter-suite'
const URL_SECRET = 'url-adapter-suite'
const SLACK_SECRET = 'slack-adapter-suite'

/** A handler over a fresh memory store that records what it enqueues; `failEnqueue` throws that many times. */
export function setup(
  provider: Parameters<typeof createWebhookHandler>[0]['provider'],
  options: { maxBodyBytes?: number; failEnqueue?: number } = {},
) {
  const enqueued: WebhookEvent[] = []
  const rejected: string[] = []
  let failures = options.failEnqueue ?? 0
  const handler = createWebhookHandler({
    provider,
    store: memoryStore(),
    maxBodyBytes: options.maxBodyBytes,
    onWarning: () => {},
    onRejected: ({ error }) => void rejected.push(error.code),
    enqueue: async (event) => {
      if (failures > 0) {
        failures--
        throw new Error('queue down (on purpose)')
      }
      enqueued.push(event)
    },
  })
  return { handler: handler as WebhookHandler<unknown>, enqueued, rejected }
}

export interface Answer {
  status: number
  headers: Headers
  text: string
  json(): unknown
}

/** Sends a signed {@link WebhookRequest} with `fetch` to `url` (its own `url` is only what was signed). */
export async function send(url: string, request: WebhookRequest): Promise<Answer> {
  const method = request.method.toUpperCase()
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const response = await fetch(url, {
    method,
    headers: request.headers as Record<string, string>,
    body: hasBody ? (request.body as BodyInit) : undefined,
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

/** Sends with node:http, header names written to the wire exactly as given. */
export function sendRaw(
  url: string,
  options: { method?: string; headers: OutgoingHttpHeaders; body?: string | Uint8Array },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const headers = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
        }
        resolve({ status: res.statusCode ?? 0, headers, text, json: () => JSON.parse(text) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

interface StreamedAnswer {
  status: number
  text: string
  /** Bytes written by the client when the answer arrived. */
  sentAtAnswer: number
  /** Whether the client had ended the request body when the answer arrived. */
  endedAtAnswer: boolean
}

/**
 * Streams `totalBytes` in chunks and does not end the request until the server answers (or
 * `graceMs` passed after the last chunk): a server that buffers the whole body before
 * answering can only answer after the end, and the result says so.
 */
export function streamUntilAnswered(
  url: string,
  options: { totalBytes: number; headers: OutgoingHttpHeaders; chunkBytes?: number; graceMs?: number },
): Promise<StreamedAnswer> {
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 0x61)
  return new Promise((resolve, reject) => {
    let sent = 0
    let ended = false
    let answered = false
    let onAnswer: () => void = () => {}
    const answeredSignal = new Promise<void>((r) => {
      onAnswer = r
    })
    const req = httpRequest(url, { method: 'POST', headers: options.headers }, (res) => {
      answered = true
      const sentAtAnswer = sent
      const endedAtAnswer = ended
      onAnswer()
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        req.destroy()
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          sentAtAnswer,
          endedAtAnswer,
        })
      })
      res.on('error', reject)
    })
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    void (async () => {
      while (sent < options.totalBytes && !answered) {
        const piece = chunk.subarray(0, Math.min(chunk.byteLength, options.totalBytes - sent))
        const flushed = req.write(piece)
        sent += piece.byteLength
        if (!flushed) {
          await Promise.race([new Promise((r) => req.once('drain', r)), answeredSignal])
        }
      }
      if (answered) return
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        answeredSignal,
        new Promise((r) => {
          timer = setTimeout(r, options.graceMs ?? 10_000)
        }),
      ])
      clearTimeout(timer)
      if (answered) return
      ended = true
      req.end()
    })().catch(reject)
  })
}

/** The provider whose signature covers the URL: proves the adapter hands the core the exact public URL. */
export function urlSigningProvider(seen: string[]) {
  return defineProvider({
    name: 'urlsig',
    body: 'text',
    verify: async (d) => {
      seen.push(d.url)
      const material = new Uint8Array([...new TextEncoder().encode(`${d.url}\n`), ...d.bytes])
      return verifyHmac({ payload: material, signature: d.header('x-url-signature'), secret: URL_SECRET })
    },
    id: (d) => d.header('x-url-id'),
  })
}

export async function urlSigned(publicUrl: string, id: string, extra: Record<string, string> = {}) {
  const body = `{"id":"${id}"}`
  const signature = await signHmac({ payload: `${publicUrl}\n${body}`, secret: URL_SECRET })
  return {
    method: 'POST',
    url: publicUrl,
    headers: { 'content-type': 'application/json', 'x-url-signature': signature, 'x-url-id': id, ...extra },
    body,
  }
}

function stripeDelivery(id: string, extra: { secret?: string; url?: string } = {}) {
  return signStripeRequest({
    secret: extra.secret ?? STRIPE_SECRET,
    url: extra.url,
    body: { id, object: 'event', type: 'invoice.paid', data: { object: { amount: 1200, note: 'héllo ✓' } } },
  })
}

const NON_UTF8_CASES: ReadonlyArray<{ name: string; contentType: string; bytes: Uint8Array }> = [
  {
    name: 'every byte value',
    contentType: 'application/octet-stream',
    bytes: Uint8Array.from({ length: 512 }, (_, i) => (i * 7 + 3) % 256),
  },
  {
    name: 'invalid UTF-8 under a JSON content type',
    contentType: 'application/json',
    bytes: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x22, 0x7d]),
  },
  {
    name: 'latin-1 form fields',
    contentType: 'application/x-www-form-urlencoded; charset=iso-8859-1',
    bytes: Uint8Array.from([0x61, 0x3d, 0xe9, 0x26, 0x62, 0x3d, 0x00, 0x0d, 0x0a]),
  },
]

/**
 * The adapter suite: every adapter, over real HTTP on 127.0.0.1, must pass all of it.
 *
 * @example
 * testAdapter({ name: 'express 5', start: (handler, { path, adapter }) => listen(expressApp(handler, path, adapter)) })
 */
export function testAdapter(adapter: AdapterUnderTest): void {
  async function withServer<R>(
    handler: HandlerSource,
    run: (base: string) => Promise<R>,
    options: { adapter?: AdapterOptions; behindParser?: boolean } = {},
  ): Promise<R> {
    const start = options.behindParser ? adapter.startBehindParser : adapter.start
    if (!start) throw new Error('no such server')
    const server = await start.call(adapter, handler, { path: PATH, adapter: options.adapter })
    try {
      return await run(server.url)
    } finally {
      await server.close()
    }
  }

  describe(`adapter suite: ${adapter.name}`, () => {
    it('enqueues a signed delivery once and answers its duplicate 200 duplicate', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }))
      const delivery = await stripeDelivery('evt_once')
      await withServer(handler, async (base) => {
        const first = await send(base + PATH, delivery)
        expect(first.status).toBe(200)
        expect(first.json()).toEqual({ ok: true, id: 'evt_once' })
        expect(first.headers.get('content-type')).toMatch(/^application\/json/)
        const again = await send(base + PATH, delivery)
        expect(again.status).toBe(200)
        expect(again.json()).toEqual({ ok: true, duplicate: true, id: 'evt_once' })
      })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]).toMatchObject({ provider: 'stripe', id: 'evt_once', type: 'invoice.paid' })
      expect(enqueued[0]?.body).toBe(delivery.body)
    })

    it('refuses a forged delivery with 401 and enqueues nothing', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }))
      const forged = await stripeDelivery('evt_forged', { secret: 'whsec_attacker' })
      await withServer(handler, async (base) => {
        const answer = await send(base + PATH, forged)
        expect(answer.status).toBe(401)
        expect((answer.json() as { error: { code: string } }).error.code).toBe('invalid_signature')
        const unsigned = await send(base + PATH, { ...forged, headers: { 'content-type': 'application/json' } })
        expect(unsigned.status).toBe(401)
      })
      expect(enqueued).toHaveLength(0)
    })

    it.each(NON_UTF8_CASES)('hands $name to the verifier unchanged', async ({ contentType, bytes }) => {
      const { handler, enqueued } = setup(
        hmac({
          name: 'bytes',
          header: 'x-bytes-signature',
          secret: BYTES_SECRET,
          idHeader: 'x-bytes-id',
          body: 'text',
        }),
      )
      const delivery = await signHmacRequest({
        secret: BYTES_SECRET,
        header: 'x-bytes-signature',
        body: bytes,
        headers: { 'content-type': contentType, 'x-bytes-id': 'bin-1' },
      })
      await withServer(handler, async (base) => {
        const answer = await send(base + PATH, delivery)
        expect(answer.text).toBe(JSON.stringify({ ok: true, id: 'bin-1' }))
      })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]?.bodyEncoding).toBe('base64')
      expect(new Uint8Array(Buffer.from(enqueued[0]?.body ?? '', 'base64'))).toEqual(bytes)
    })

    it('keeps a UTF-8 body with a byte order mark and CRLF byte for byte', async () => {
      const { handler, enqueued } = setup(
        hmac({
          name: 'bytes',
          header: 'x-bytes-signature',
          secret: BYTES_SECRET,
          idHeader: 'x-bytes-id',
          body: 'text',
        }),
      )
      const text = '\uFEFF{"note":"ligne 1\r\nligne 2 — ✓"}\r\n'
      const delivery = await signHmacRequest({
        secret: BYTES_SECRET,
        header: 'x-bytes-signature',
        body: text,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-bytes-id': 'bom-1' },
      })
      await withServer(handler, async (base) => {
        expect((await send(base + PATH, delivery)).status).toBe(200)
      })
      expect(enqueued[0]?.body).toBe(text)
      expect(enqueued[0]?.bodyEncoding).toBeUndefined()
    })

    it('accepts a body of exactly maxBodyBytes and answers 413 one byte over', async () => {
      const { handler, enqueued } = setup(
        hmac({
          name: 'bytes',
          header: 'x-bytes-signature',
          secret: BYTES_SECRET,
          idHeader: 'x-bytes-id',
          body: 'text',
        }),
        { maxBodyBytes: MIB },
      )
      const sign = (size: number, id: string) =>
        signHmacRequest({
          secret: BYTES_SECRET,
          header: 'x-bytes-signature',
          body: new Uint8Array(size).fill(0x62),
          headers: { 'content-type': 'application/octet-stream', 'x-bytes-id': id },
        })
      await withServer(handler, async (base) => {
        expect((await send(base + PATH, await sign(MIB, 'at-limit'))).status).toBe(200)
        const over = await send(base + PATH, await sign(MIB + 1, 'over-limit'))
        expect(over.status).toBe(413)
        expect((over.json() as { error: { code: string } }).error.code).toBe('body_too_large')
      })
      expect(enqueued.map((e) => e.id)).toEqual(['at-limit'])
    })

    it('answers 413 to a streamed 2 MiB body against a 1 MiB limit before the client finished sending it', async () => {
      const { handler, enqueued, rejected } = setup(stripe({ secret: STRIPE_SECRET }), { maxBodyBytes: MIB })
      await withServer(handler, async (base) => {
        const answer = await streamUntilAnswered(base + PATH, {
          totalBytes: 2 * MIB,
          headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
        })
        expect(answer.status).toBe(413)
        expect(JSON.parse(answer.text).error.code).toBe('body_too_large')
        expect(answer.endedAtAnswer).toBe(false)
        expect(answer.sentAtAnswer).toBeGreaterThan(MIB - 64 * 1024)
      })
      expect(enqueued).toHaveLength(0)
      // The adapter's own refusal reaches onRejected like the core's.
      expect(rejected).toEqual(['body_too_large'])
    })

    it('answers 413 to a declared Content-Length over the limit without waiting for the body', async () => {
      const { handler } = setup(stripe({ secret: STRIPE_SECRET }), { maxBodyBytes: MIB })
      await withServer(handler, async (base) => {
        // Only the first 256 KiB of the declared 2 MiB are sent until the answer comes.
        const answer = await streamUntilAnswered(base + PATH, {
          totalBytes: 256 * 1024,
          headers: { 'content-type': 'application/json', 'content-length': String(2 * MIB) },
        })
        expect(answer.status).toBe(413)
        expect(JSON.parse(answer.text).error.code).toBe('body_too_large')
        expect(answer.endedAtAnswer).toBe(false)
      })
    })

    it('survives a client that goes away mid-body, and serves the next delivery', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }))
      const delivery = await stripeDelivery('evt_after_abort')
      await withServer(handler, async (base) => {
        await new Promise<void>((resolve) => {
          const req = httpRequest(base + PATH, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
          })
          req.on('error', () => resolve())
          req.write(Buffer.alloc(64 * 1024, 0x20), () => {
            req.destroy()
            resolve()
          })
        })
        const answer = await send(base + PATH, delivery)
        expect(answer.status).toBe(200)
      })
      expect(enqueued.map((e) => e.id)).toEqual(['evt_after_abort'])
    })

    it('reads signature headers whatever their casing on the wire', async () => {
      const { handler, enqueued } = setup(github({ secret: GITHUB_SECRET }))
      const delivery = await signGitHubRequest({
        secret: GITHUB_SECRET,
        id: 'f1e2d3c4-0000-4000-8000-000000000001',
        event: 'issues',
        body: { action: 'opened', issue: { number: 1 } },
      })
      const weird = (name: string) =>
        name
          .split('')
          .map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase()))
          .join('')
      const headers: OutgoingHttpHeaders = {}
      for (const [name, value] of Object.entries(delivery.headers as Record<string, string>))
        headers[weird(name)] = value
      expect(Object.keys(headers)).toContain('x-hUb-sIgNaTuRe-256')
      await withServer(handler, async (base) => {
        const answer = await sendRaw(base + PATH, { headers, body: delivery.body })
        expect(answer.status).toBe(200)
      })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]?.type).toBe('issues')
      expect(enqueued[0]?.headers['x-github-event']).toBe('issues')
    })

    it('hands the core every value of a repeated header, joined in order as Fetch joins them', async () => {
      const { handler, enqueued } = setup(github({ secret: GITHUB_SECRET }))
      const delivery = await signGitHubRequest({
        secret: GITHUB_SECRET,
        id: 'f1e2d3c4-0000-4000-8000-000000000002',
        event: 'issues',
        body: { action: 'opened', issue: { number: 2 } },
      })
      // node:http's req.headers keeps only the first User-Agent; the signed headers are single.
      const headers: OutgoingHttpHeaders = { ...(delivery.headers as Record<string, string>) }
      const repeated: Record<string, string[]> = {
        'user-agent': ['GitHub-Hookshot/test', 'second-agent'],
        'X-Note': ['a', 'b'],
      }
      Object.assign(headers, repeated)
      await withServer(handler, async (base) => {
        const answer = await sendRaw(base + PATH, { headers, body: delivery.body })
        expect(answer.status).toBe(200)
      })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]?.headers['x-note']).toBe('a, b')
      expect(enqueued[0]?.headers['user-agent']).toBe('GitHub-Hookshot/test, second-agent')
    })

    it('answers a non-POST with 405 and Allow, and enqueues nothing', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }))
      const delivery = await stripeDelivery('evt_put')
      await withServer(handler, async (base) => {
        const get = await send(base + PATH, { ...delivery, method: 'GET' })
        expect(get.status).toBe(405)
        expect(get.headers.get('allow')).toBe('POST')
        expect((get.json() as { error: { code: string } }).error.code).toBe('method_not_allowed')
        const put = await send(base + PATH, { ...delivery, method: 'PUT' })
        expect(put.status).toBe(405)
        expect(put.headers.get('allow')).toBe('POST')
      })
      expect(enqueued).toHaveLength(0)
    })

    it('answers 5xx when enqueue fails, and the provider retry is then accepted', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }), { failEnqueue: 1 })
      const delivery = await stripeDelivery('evt_retry')
      await withServer(handler, async (base) => {
        const failed = await send(base + PATH, delivery)
        expect(failed.status).toBeGreaterThanOrEqual(500)
        expect((failed.json() as { error: { code: string } }).error.code).toBe('enqueue_failed')
        const retry = await send(base + PATH, delivery)
        expect(retry.status).toBe(200)
        expect(retry.json()).toEqual({ ok: true, id: 'evt_retry' })
      })
      expect(enqueued.map((e) => e.id)).toEqual(['evt_retry'])
    })

    it('answers the Slack url_verification handshake with its challenge and enqueues nothing', async () => {
      const { handler, enqueued } = setup(slack({ secret: SLACK_SECRET }))
      const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'
      const handshake = await signSlackRequest({
        secret: SLACK_SECRET,
        body: { token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' },
      })
      await withServer(handler, async (base) => {
        const answer = await send(base + PATH, handshake)
        expect(answer.status).toBe(200)
        expect(answer.json()).toEqual({ challenge })
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
      })
      expect(enqueued).toHaveLength(0)
    })

    it('takes a lazy handler: created on the first request, 500 invalid_config while its factory throws', async () => {
      const { handler, enqueued } = setup(stripe({ secret: STRIPE_SECRET }))
      const delivery = await stripeDelivery('evt_lazy')
      let secret: string | undefined
      let calls = 0
      const factory = () => {
        calls++
        // What a route does at module scope when the secret is not set yet: the preset throws.
        stripe({ secret: secret as string })
        return handler
      }
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
      try {
        await withServer(factory, async (base) => {
          expect(calls).toBe(0)
          const failed = await send(base + PATH, delivery)
          expect(failed.status).toBe(500)
          expect((failed.json() as { error: { code: string } }).error.code).toBe('invalid_config')
          secret = STRIPE_SECRET
          const first = await send(base + PATH, delivery)
          expect(first.status).toBe(200)
          expect(first.json()).toEqual({ ok: true, id: 'evt_lazy' })
          const built = calls
          expect((await send(base + PATH, delivery)).json()).toMatchObject({ duplicate: true })
          expect(calls).toBe(built)
        })
      } finally {
        quiet.mockRestore()
      }
      expect(enqueued.map((e) => e.id)).toEqual(['evt_lazy'])
    })

    // GETs carry no body: an adapter that invents one (a Fetch Request with a body on GET
    // throws) answers these 500 instead of the challenge.
    it('answers a Meta hub.challenge GET with the challenge as text/plain', async () => {
      const { handler, enqueued } = setup(meta({ secret: 'meta-app-secret', verifyToken: 'meta-verify-token' }))
      await withServer(handler, async (base) => {
        const query = 'hub.mode=subscribe&hub.verify_token=meta-verify-token&hub.challenge=1158201444'
        const answer = await send(`${base}${PATH}?${query}`, { method: 'GET', url: '', headers: {}, body: '' })
        expect(answer.status).toBe(200)
        expect(answer.text).toBe('1158201444')
        expect(answer.headers.get('content-type')).toMatch(/^text\/plain/)
        const wrong = await send(`${base}${PATH}?${query.replace('meta-verify-token', 'guess')}`, {
          method: 'GET',
          url: '',
          headers: {},
          body: '',
        })
        expect(wrong.status).toBe(403)
      })
      expect(enqueued).toHaveLength(0)
    })

    it('answers a Dropbox challenge GET by echoing the challenge', async () => {
      const { handler, enqueued } = setup(dropbox({ secret: 'dropbox-app-secret' }))
      await withServer(handler, async (base) => {
        const answer = await send(`${base}${PATH}?challenge=dbx-challenge-42`, {
          method: 'GET',
          url: '',
          headers: {},
          body: '',
        })
        expect(answer.status).toBe(200)
        expect(answer.text).toBe('dbx-challenge-42')
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
      })
      expect(enqueued).toHaveLength(0)
    })

    it('verifies and enqueues a signed Twilio GET webhook', async () => {
      const { handler, enqueued } = setup(twilio({ secret: 'twilio-auth-token' }))
      await withServer(handler, async (base) => {
        const url = `${base}${PATH}?CallSid=CA123&From=%2B15550001111&To=%2B15550002222`
        const delivery = await signTwilioRequest({ secret: 'twilio-auth-token', method: 'GET', url })
        const answer = await send(url, delivery)
        expect(answer.status).toBe(200)
        const forged = await send(url.replace('CA123', 'CA999'), delivery)
        expect(forged.status).toBe(401)
      })
      expect(enqueued).toHaveLength(1)
      expect(enqueued[0]?.payload).toMatchObject({ CallSid: 'CA123', From: '+15550001111' })
    })

    describe('the full public URL', () => {
      const target = `${PATH}?b=2&a=%2F+x&empty=`

      it('hands the core the URL as called, path and query unchanged', async () => {
        const seen: string[] = []
        const { handler, enqueued } = setup(urlSigningProvider(seen))
        await withServer(handler, async (base) => {
          const delivery = await urlSigned(base + target, 'u-plain')
          expect((await send(base + target, delivery)).status).toBe(200)
        })
        expect(seen).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/in\?b=2&a=%2F\+x&empty=$/)])
        expect(enqueued).toHaveLength(1)
      })

      it('ignores X-Forwarded-Proto and X-Forwarded-Host unless trustProxy is on', async () => {
        const seen: string[] = []
        const { handler } = setup(urlSigningProvider(seen))
        const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' }
        await withServer(handler, async (base) => {
          const delivery = await urlSigned(`https://hooks.example.com${target}`, 'u-untrusted', forwarded)
          const answer = await send(base + target, delivery)
          expect(answer.status).toBe(401)
        })
        expect(seen[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
      })

      it('takes scheme and host from the first X-Forwarded-* values with trustProxy', async () => {
        const seen: string[] = []
        const { handler, enqueued } = setup(urlSigningProvider(seen))
        const forwarded = {
          'x-forwarded-proto': 'https, http',
          'x-forwarded-host': 'hooks.example.com, proxy.internal:8080',
        }
        await withServer(
          handler,
          async (base) => {
            const delivery = await urlSigned(`https://hooks.example.com${target}`, 'u-proxy', forwarded)
            expect((await send(base + target, delivery)).status).toBe(200)
          },
          { adapter: { trustProxy: true } },
        )
        expect(seen).toEqual([`https://hooks.example.com${target}`])
        expect(enqueued).toHaveLength(1)
      })

      it('uses publicUrl outright, keeping its path prefix', async () => {
        const seen: string[] = []
        const { handler, enqueued } = setup(urlSigningProvider(seen))
        await withServer(
          handler,
          async (base) => {
            const delivery = await urlSigned(`https://public.example.com/edge${target}`, 'u-public', {
              'x-forwarded-host': 'ignored.example.com',
            })
            expect((await send(base + target, delivery)).status).toBe(200)
          },
          { adapter: { publicUrl: 'https://public.example.com/edge/', trustProxy: true } },
        )
        expect(seen).toEqual([`https://public.example.com/edge${target}`])
        expect(enqueued).toHaveLength(1)
      })
    })

    if (adapter.startBehindParser) {
      it('refuses a body a JSON parser consumed first with body_already_parsed, never re-serialising it', async () => {
        const { handler, enqueued, rejected } = setup(stripe({ secret: STRIPE_SECRET }))
        const delivery = await stripeDelivery('evt_parsed')
        await withServer(
          handler,
          async (base) => {
            const answer = await send(base + PATH, delivery)
            expect(answer.status).toBe(500)
            const error = (answer.json() as { error: { code: string; message: string } }).error
            expect(error.code).toBe('body_already_parsed')
            expect(error.message).toMatch(/^\[webhook-inbox\] \[stripe\] /)
            expect(error.message).toMatch(/before|raw/)
          },
          { behindParser: true },
        )
        expect(enqueued).toHaveLength(0)
        expect(rejected).toEqual(['body_already_parsed'])
      })
    }
  })
}
