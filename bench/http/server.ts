// One framework's benchmark server, run as a child of bench/http.ts:
//   node --import tsx bench/http/server.ts <framework>
// It serves every route of the comparison on 127.0.0.1 (a port of its own), tells the parent
// the port over IPC, and answers { type: 'usage' } with its own CPU time and counters.
//
// Routes (POST, 2 KB signed JSON):
//   /bare         the framework's raw-body read, answers 200
//   /floor        bare + a hand-written createHmac('sha256') + timingSafeEqual check
//   /floor-parse  floor + JSON.parse: the least a receiver that hands on a parsed event does
//   /ours         the framework's adapter: github() preset, memory store, no-op enqueue
//   /octokit      @octokit/webhooks-methods verify (on the body as text) + JSON.parse
//   /stripe-sdk   stripe.webhooks.constructEvent (Stripe-signed deliveries)
// and, for profiling the adapters alone (not in the table):
//   /adapter-only the adapter around a handler whose handle() answers at once, without verifying
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import Stripe from 'stripe'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toExpress } from 'webhook-inbox/express'
import { toFastify } from 'webhook-inbox/fastify'
import { toHono } from 'webhook-inbox/hono'
import { toKoa } from 'webhook-inbox/koa'
import { toNodeListener } from 'webhook-inbox/node'
import { github } from 'webhook-inbox/providers'
import { GITHUB_SECRET, STRIPE_SECRET } from './deliveries.js'
import { FRAMEWORKS, type Framework, type Route, type ServerUsage } from './matrix.js'

let enqueued = 0
const OK = '{"ok":true}'
const stripeClient = new Stripe('sk_test_bench_only_never_sent')

// Distinct signed bodies come back around after a few thousand requests: a short retention makes
// each of them a new event again, so every `ours` request takes the whole path (claim, enqueue,
// complete), never the duplicate shortcut.
const handler = createWebhookHandler({
  provider: github({ secret: GITHUB_SECRET }),
  store: memoryStore({ maxEntries: 100_000 }),
  retentionMs: 5,
  onWarning: () => {},
  enqueue: async () => {
    enqueued++
  },
})

// The adapter's own work: read the body, build the request, write the answer, no core.
const ANSWER = { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: OK }
const stub: typeof handler = Object.create(handler)
stub.handle = async () => ANSWER

type Check = (body: Buffer, signature: string | undefined, stripeSignature: string | undefined) => Promise<boolean>

function floorCheck(body: Buffer, signature: string | undefined): boolean {
  if (signature === undefined || !signature.startsWith('sha256=')) return false
  const expected = createHmac('sha256', GITHUB_SECRET).update(body).digest()
  const given = Buffer.from(signature.slice(7), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** What each comparison route does with the raw body once it has it. */
const CHECKS: Record<Exclude<Route, 'ours'>, Check> = {
  bare: async () => true,
  floor: async (body, signature) => floorCheck(body, signature),
  'floor-parse': async (body, signature) => {
    if (!floorCheck(body, signature)) return false
    JSON.parse(body.toString('utf8'))
    return true
  },
  octokit: async (body, signature) => {
    if (signature === undefined) return false
    const text = body.toString('utf8')
    if (!(await octokitVerify(GITHUB_SECRET, text, signature))) return false
    JSON.parse(text)
    return true
  },
  'stripe-sdk': async (body, _signature, stripeSignature) => {
    if (stripeSignature === undefined) return false
    try {
      stripeClient.webhooks.constructEvent(body, stripeSignature, STRIPE_SECRET)
      return true
    } catch {
      return false
    }
  },
}

const COMPARISONS = Object.keys(CHECKS) as Exclude<Route, 'ours'>[]

/** The body of a Node request, read by hand (what a route without a body parser does). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0]
}

function answerNode(res: ServerResponse, ok: boolean): void {
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'content-length': ok ? OK.length : 2 })
  res.end(ok ? OK : '{}')
}

async function listenNode(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function startNode(): Promise<number> {
  const ours = toNodeListener(handler)
  const adapterOnly = toNodeListener(stub)
  return listenNode((req, res) => {
    const route = req.url?.slice(1) as Route
    if (route === 'ours') {
      ours(req, res)
      return
    }
    if (req.url === '/adapter-only') {
      adapterOnly(req, res)
      return
    }
    const check = CHECKS[route as Exclude<Route, 'ours'>]
    if (!check) {
      res.statusCode = 404
      res.end()
      return
    }
    readBody(req)
      .then((body) => check(body, header(req.headers['x-hub-signature-256']), header(req.headers['stripe-signature'])))
      .then(
        (ok) => answerNode(res, ok),
        () => answerNode(res, false),
      )
  })
}

async function startExpress(): Promise<number> {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  const raw = express.raw({ type: '*/*', limit: '1mb' })
  for (const route of COMPARISONS) {
    const check = CHECKS[route]
    app.post(`/${route}`, raw, (req, res) => {
      check(req.body as Buffer, req.get('x-hub-signature-256'), req.get('stripe-signature')).then(
        (ok) => {
          res
            .status(ok ? 200 : 401)
            .type('application/json')
            .send(ok ? OK : '{}')
        },
        () => res.status(500).end(),
      )
    })
  }
  app.post('/ours', toExpress(handler))
  app.post('/adapter-only', toExpress(stub))
  return listenNode(app)
}

async function startKoa(): Promise<number> {
  const app = new Koa()
  const ours = toKoa(handler)
  const adapterOnly = toKoa(stub)
  app.use(async (ctx, next) => {
    const route = ctx.path.slice(1) as Route
    if (route === 'ours') return ours(ctx, next)
    if (ctx.path === '/adapter-only') return adapterOnly(ctx, next)
    const check = CHECKS[route as Exclude<Route, 'ours'>]
    if (!check || ctx.method !== 'POST') return next()
    const body = await readBody(ctx.req)
    const ok = await check(body, ctx.get('x-hub-signature-256') || undefined, ctx.get('stripe-signature') || undefined)
    ctx.status = ok ? 200 : 401
    ctx.type = 'application/json'
    ctx.body = ok ? OK : '{}'
  })
  return listenNode(app.callback())
}

async function startFastify(): Promise<number> {
  const app = Fastify({ logger: false })
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    for (const route of COMPARISONS) {
      const check = CHECKS[route]
      scope.post(`/${route}`, async (request, reply) => {
        const ok = await check(
          request.body as Buffer,
          header(request.headers['x-hub-signature-256']),
          header(request.headers['stripe-signature']),
        )
        reply.code(ok ? 200 : 401).type('application/json')
        return ok ? OK : '{}'
      })
    }
  })
  await app.register(toFastify(handler), { prefix: '/ours' })
  await app.register(toFastify(stub), { prefix: '/adapter-only' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

async function startHono(): Promise<number> {
  const app = new Hono()
  for (const route of COMPARISONS) {
    const check = CHECKS[route]
    app.post(`/${route}`, async (c) => {
      const body = Buffer.from(await c.req.arrayBuffer())
      const ok = await check(body, c.req.header('x-hub-signature-256'), c.req.header('stripe-signature'))
      return c.body(ok ? OK : '{}', ok ? 200 : 401, { 'content-type': 'application/json' })
    })
  }
  app.post('/ours', toHono(handler))
  app.post('/adapter-only', toHono(stub))
  return new Promise((resolve) => {
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port))
  })
}

const STARTERS: Record<Framework, () => Promise<number>> = {
  'node:http': startNode,
  fastify: startFastify,
  koa: startKoa,
  hono: startHono,
  express: startExpress,
}

async function main(): Promise<void> {
  const framework = process.argv[2] as Framework
  const start = STARTERS[framework]
  if (!start || !process.send) {
    console.error(`usage: a child of bench/http.ts, with one of ${FRAMEWORKS.join(', ')}`)
    process.exit(2)
  }
  const port = await start()
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'usage') return
    const { user, system } = process.cpuUsage()
    const usage: ServerUsage = { type: 'usage', user, system, enqueued }
    process.send?.(usage)
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ type: 'listening', port })
}

void main()
