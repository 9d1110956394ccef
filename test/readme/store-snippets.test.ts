import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { signStripeRequest } from '../../src/testing/index.js'
import { root } from '../edge/dist.js'
import { freePort } from '../helpers/free-port.js'
import { databaseUrl, redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { markdownSnippets } from './snippets.js'

// Each store snippet of the README, pasted as written into a server (node:http, Stripe), with
// a TCP proxy between it and the store. The link is cut mid-run: deliveries answer 503 and the
// process stays up; once the link is back, the next delivery is accepted. Without the
// snippet's 'error' listener line, the same cut ends the process (the crash the line prevents).

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))

const SECRET = 'whsec_store_snippets'
const HARNESS = `
import { createServer } from 'node:http'
import { createWebhookHandler } from 'webhook-inbox'
import { toNodeListener } from 'webhook-inbox/node'
import { stripe } from 'webhook-inbox/providers'

const handler = createWebhookHandler({
  provider: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }),
  store,
  storeTimeoutMs: 1000,
  enqueue: async () => {},
})
const server = createServer(toNodeListener(handler))
server.listen(0, '127.0.0.1', () => console.log('listening on', (server.address() as { port: number }).port))
`

function snippet(firstImport: string): string {
  const found = markdownSnippets(root, 'README.md').find((s) => s.code.startsWith(firstImport))
  if (!found) throw new Error(`README has no block starting with ${firstImport}`)
  return found.code
}

const children: ChildProcess[] = []
const files: string[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  for (const file of files) rmSync(file, { force: true })
})

interface Server {
  child: ChildProcess
  base: string
  output(): string
}

async function serve(code: string, env: Record<string, string>): Promise<Server> {
  // Inside the repository, so `webhook-inbox` resolves through tsconfig paths like the examples.
  const file = `${root}examples/.store-snippet-${randomBytes(4).toString('hex')}.tmp.ts`
  files.push(file)
  writeFileSync(file, `${code}\n${HARNESS}`)
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, ...env, STRIPE_WEBHOOK_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  const base = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk
      const port = /listening on (\d+)/.exec(output)?.[1]
      if (port) resolve(`http://127.0.0.1:${port}`)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the server exited ${code}:\n${output}`)))
  })
  return { child, base, output: () => output }
}

async function deliver(base: string, id: string): Promise<number> {
  const request = await signStripeRequest({ secret: SECRET, body: { id, type: 'invoice.paid' } })
  const response = await fetch(`${base}/`, {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body: request.body as string,
  })
  await response.arrayBuffer()
  return response.status
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/** Delivers like a provider that retries: again after each non-200, for up to about 10 s. */
async function deliverUntilAccepted(base: string, id: string): Promise<number> {
  let status = 0
  for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
    status = await deliver(base, id)
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return status
}

async function outage(server: Server, proxy: TcpProxy): Promise<void> {
  const run = randomBytes(6).toString('hex')
  // The client may still be connecting when the server listens: that is a 503 too, retried.
  expect(await deliverUntilAccepted(server.base, `evt_${run}_before`)).toBe(200)
  proxy.cut('reset')
  expect(await deliver(server.base, `evt_${run}_during`)).toBe(503)
  // The client notices the cut on its own socket too; the process must survive that.
  expect(await exited(server.child, 1_000)).toBe(false)
  proxy.restore()
  expect(await deliverUntilAccepted(server.base, `evt_${run}_during`)).toBe(200)
  expect(server.child.exitCode).toBeNull()
}

async function proxyFor(url: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url)
  const proxy = await startTcpProxy({
    target: { host: target.hostname, port: Number(target.port || defaultPort) },
    listenPort: await freePort(),
  })
  target.host = `127.0.0.1:${proxy.port}`
  return { proxy, url: target.toString() }
}

const STORES = [
  { name: 'node-redis', first: "import { createClient } from 'redis'", listener: "client.on('error'", redis: true },
  { name: 'ioredis', first: "import { Redis } from 'ioredis'", listener: undefined, redis: true },
  { name: 'pg Pool', first: "import pg from 'pg'", listener: "pool.on('error'", redis: false },
] as const

describe.each(STORES)('README store snippet: $name', ({ first, listener, redis }) => {
  const available = redis ? hasRedis : hasPostgres
  const env = (url: string): Record<string, string> => (redis ? { REDIS_URL: url } : { DATABASE_URL: url })

  it.skipIf(!available)(
    'answers 503 while the store is cut off, stays up, and accepts again once it is back',
    async () => {
      const { proxy, url } = await proxyFor(redis ? redisUrl() : databaseUrl(), redis ? 6379 : 5432)
      try {
        const server = await serve(snippet(first), env(url))
        await outage(server, proxy)
        expect(server.output()).not.toMatch(/no 'error' listener/)
      } finally {
        await proxy.close()
      }
    },
    60_000,
  )

  if (listener) {
    it.skipIf(!available)(
      "without the snippet's 'error' listener, warns at setup and the same cut ends the process",
      async () => {
        const { proxy, url } = await proxyFor(redis ? redisUrl() : databaseUrl(), redis ? 6379 : 5432)
        try {
          const code = snippet(first)
            .split('\n')
            .filter((line) => !line.startsWith(listener))
            .join('\n')
          const server = await serve(code, env(url))
          expect(await deliverUntilAccepted(server.base, `evt_${randomBytes(6).toString('hex')}`)).toBe(200)
          expect(server.output()).toMatch(/no 'error' listener/)
          proxy.cut('reset')
          expect(await exited(server.child, 10_000)).toBe(true)
          expect(server.output()).toMatch(/Unhandled 'error' event|Connection terminated|SocketClosedUnexpectedly/)
        } finally {
          await proxy.close()
        }
      },
      60_000,
    )
  }
})
