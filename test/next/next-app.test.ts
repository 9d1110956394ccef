import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signGitHubRequest, signStripeRequest, toFetchRequest } from '../../src/testing/index.js'
import type { WebhookRequest } from '../../src/types.js'
import { ensureBuilt, root } from '../edge/dist.js'

// The real Next.js 16 app of examples/next, built with `next build` and served by `next start`
// on 127.0.0.1 (port 0), importing the built package. About a minute on 2 cores, most of it
// in `next build`.

const app = join(root, 'examples', 'next')
const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next')
const stripeSecret = `whsec_${randomBytes(16).toString('hex')}`
const githubSecret = randomBytes(16).toString('hex')
const env = {
  ...process.env,
  STRIPE_WEBHOOK_SECRET: stripeSecret,
  GITHUB_WEBHOOK_SECRET: githubSecret,
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production' as const,
}

let server: ChildProcess | undefined
let base = ''
let output = ''

// `next build` runs without the secrets, as a CI or Docker build does: the routes use the
// adapters' lazy form, so no handler is created while Next.js collects page data.
const { STRIPE_WEBHOOK_SECRET: _stripe, GITHUB_WEBHOOK_SECRET: _github, ...buildEnv } = env

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], {
      cwd: app,
      env: args[0] === 'build' ? buildEnv : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stdout.on('data', (chunk) => {
      log += chunk
    })
    child.stderr.on('data', (chunk) => {
      log += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`next ${args[0]} exited ${code}:\n${log}`)),
    )
  })
}

function start(): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that afterAll ends the server and anything it spawned.
    server = spawn(process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', '0'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const timer = setTimeout(() => reject(new Error(`next start did not report its port:\n${output}`)), 30_000)
    const onData = (chunk: Buffer): void => {
      output += chunk
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match && /Ready/.test(output)) {
        clearTimeout(timer)
        resolve(`http://127.0.0.1:${match[1]}`)
      }
    }
    server.stdout?.on('data', onData)
    server.stderr?.on('data', onData)
    server.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`next start exited ${code}:\n${output}`))
    })
  })
}

async function send(path: string, request: WebhookRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(toFetchRequest(request, base + path))
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function enqueued(path: string): Promise<Array<Record<string, unknown> | string>> {
  const response = await fetch(base + path)
  expect(response.status).toBe(200)
  return ((await response.json()) as { enqueued: Array<Record<string, unknown> | string> }).enqueued
}

function eventId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`
}

/** A 2 MiB body sent chunked (no Content-Length), so only a limit applied while streaming stops it. */
function streamedBody(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61)
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close()
      controller.enqueue(chunk)
      sent += chunk.byteLength
    },
  })
}

beforeAll(async () => {
  ensureBuilt()
  try {
    await run(['build'])
  } catch (error) {
    // Locally another `tsup` run (clean: true) may empty dist/ mid-build; CI builds once, first.
    if (!/Can't resolve 'webhook-inbox/.test(String(error))) throw error
    ensureBuilt()
    await run(['build'])
  }
  base = await start()
}, 240_000)

afterAll(() => {
  if (server?.pid !== undefined && server.exitCode === null) {
    server.removeAllListeners('exit')
    process.kill(-server.pid, 'SIGTERM')
  }
})

describe.each([
  { route: 'App Router, Node.js runtime', path: '/api/webhooks/stripe', events: '/api/events' },
  { route: 'App Router, Edge runtime', path: '/api/edge', events: '/api/edge' },
])('examples/next $route (toNextRoute)', ({ path, events }) => {
  it('accepts a signed Stripe delivery once, answers its duplicate 200, and refuses a forged one 401', async () => {
    const id = eventId('evt')
    const delivery = await signStripeRequest({ secret: stripeSecret, body: { id, type: 'invoice.paid' } })
    const first = await send(path, delivery)
    expect(first).toEqual({ status: 200, body: { ok: true, id } })
    const again = await send(path, delivery)
    expect(again).toEqual({ status: 200, body: { ok: true, duplicate: true, id } })

    const forgedId = eventId('evt')
    const forged = await signStripeRequest({ secret: 'whsec_not_the_secret', body: { id: forgedId, type: 'x' } })
    const refused = await send(path, forged)
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ error: { code: 'invalid_signature' } })

    const ids = (await enqueued(events)).map((event) => (typeof event === 'string' ? event : event.id))
    expect(ids.filter((each) => each === id)).toHaveLength(1)
    expect(ids).not.toContain(forgedId)
  })

  it('answers 413 to a 2 MiB body streamed without Content-Length against the 1 MiB default', async () => {
    const response = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamedBody(2 * 1024 * 1024),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large' } })
  })
})

/**
 * POSTs over `agent` (one keep-alive socket). A Buffer body is written in 64 KiB pieces with no
 * Content-Length, so the handler has to read past its limit before refusing it.
 */
function post(agent: Agent, url: string, headers: Record<string, string>, body: Buffer | string) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    if (typeof body === 'string') return req.end(body)
    for (let offset = 0; offset < body.byteLength; offset += 64 * 1024)
      req.write(body.subarray(offset, offset + 64 * 1024))
    req.end()
  })
}

describe.each([
  { route: 'App Router, Node.js runtime', path: '/api/webhooks/stripe', provider: 'stripe' },
  { route: 'App Router, Edge runtime', path: '/api/edge', provider: 'stripe' },
  { route: 'Pages Router', path: '/api/webhooks/github', provider: 'github' },
])('examples/next $route after a 413', ({ path, provider }) => {
  it('answers the next delivery on the same keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const big = await post(
        agent,
        base + path,
        { 'content-type': 'application/json' },
        Buffer.alloc(2 * 1024 * 1024, 0x61),
      )
      expect(big).toBe(413)
      const id = eventId('evt')
      const delivery =
        provider === 'stripe'
          ? await signStripeRequest({ secret: stripeSecret, body: { id, type: 'invoice.paid' } })
          : await signGitHubRequest({
              secret: githubSecret,
              id,
              event: 'issues',
              body: { action: 'opened', delivery: id },
            })
      const next = await post(agent, base + path, delivery.headers as Record<string, string>, delivery.body as string)
      expect(next).toBe(200)
    } finally {
      agent.destroy()
    }
  }, 15_000)
})

// GitHub's delivery id is not signed, so identical signed bodies count as one event (README,
// "Security model"): each GitHub delivery here carries its own id in the body.
describe('examples/next Pages Router (toNextPagesRoute)', () => {
  const path = '/api/webhooks/github'

  it('accepts a signed GitHub delivery once, answers its duplicate 200, and refuses a forged one 401', async () => {
    const id = eventId('delivery')
    const delivery = await signGitHubRequest({
      secret: githubSecret,
      id,
      event: 'issues',
      body: { action: 'opened', delivery: id },
    })
    expect(await send(path, delivery)).toEqual({ status: 200, body: { ok: true, id } })
    expect(await send(path, delivery)).toEqual({ status: 200, body: { ok: true, duplicate: true, id } })

    const forgedId = eventId('delivery')
    const forged = await signGitHubRequest({ secret: 'wrong', id: forgedId, event: 'issues', body: { action: 'x' } })
    const refused = await send(path, forged)
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ error: { code: 'invalid_signature' } })

    const ids = (await enqueued('/api/events')).map((event) => (typeof event === 'string' ? event : event.id))
    expect(ids.filter((each) => each === id)).toHaveLength(1)
    expect(ids).not.toContain(forgedId)
  })

  it('hands the verifier the exact bytes, including ones that are not UTF-8', async () => {
    const id = eventId('delivery')
    const prefix = new TextEncoder().encode('{"action":"')
    const suffix = new TextEncoder().encode('"}')
    const bytes = new Uint8Array([...prefix, 0xff, 0xfe, 0xc3, ...suffix])
    const delivery = await signGitHubRequest({ secret: githubSecret, id, event: 'push', body: bytes })
    expect(await send(path, delivery)).toEqual({ status: 200, body: { ok: true, id } })
    const event = (await enqueued('/api/events')).find((each) => typeof each !== 'string' && each.id === id)
    expect(event).toMatchObject({ bodyEncoding: 'base64' })
    expect(Buffer.from(String((event as Record<string, unknown>).body), 'base64')).toEqual(Buffer.from(bytes))
  })

  it('answers 413 to a 2 MiB body streamed without Content-Length', async () => {
    const response = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamedBody(2 * 1024 * 1024),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large' } })
  })

  it('answers 405 with Allow to a GET', async () => {
    const response = await fetch(base + path)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } })
  })

  it('refuses with body_already_parsed, and says how to fix it, when bodyParser was left on', async () => {
    const id = eventId('delivery')
    const delivery = await signGitHubRequest({
      secret: githubSecret,
      id,
      event: 'issues',
      body: { action: 'opened', delivery: id },
    })
    const response = await send('/api/webhooks/github-parsed', delivery)
    expect(response.status).toBe(500)
    const error = (response.body as { error: { code: string; message: string } }).error
    expect(error.code).toBe('body_already_parsed')
    expect(error.message).toContain('export const config = { api: { bodyParser: false } }')
    expect(error.message).not.toContain(githubSecret)
    const ids = (await enqueued('/api/events')).map((event) => (typeof event === 'string' ? event : event.id))
    expect(ids).not.toContain(id)
  })
})
