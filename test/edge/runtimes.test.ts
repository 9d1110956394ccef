import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { EdgeVM } from '@edge-runtime/vm'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signStripeRequest } from '../../src/testing/index.js'

// The core, the Stripe preset, `handler.fetch`, `toHono` and `toNextRoute` on real edge
// runtimes: workerd (through Miniflare 3) and the Vercel Edge runtime (@edge-runtime/vm).
// The worker is bundled for the browser platform, so a `node:` import fails the bundle
// before any runtime starts.

const fixture = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url))
const secret = `whsec_${randomBytes(16).toString('hex')}`
const ROUTES = ['/fetch', '/hono', '/next'] as const

interface Answer {
  status: number
  header(name: string): string | null
  text: string
}

interface Runtime {
  send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Answer>
  close(): Promise<void>
}

async function bundle(format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    entryPoints: [fixture],
    bundle: true,
    write: false,
    format,
    globalName: format === 'iife' ? '__worker' : undefined,
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    define: { __STRIPE_SECRET__: JSON.stringify(secret) },
    logLevel: 'silent',
  })
  return (result.outputFiles[0] as { text: string }).text
}

async function workerd(): Promise<Runtime> {
  const mf = new Miniflare({ modules: true, script: await bundle('esm'), compatibilityDate: '2025-01-01' })
  await mf.ready
  return {
    async send(path, init) {
      const response = await mf.dispatchFetch(`https://worker.example.test${path}`, init)
      return { status: response.status, header: (name) => response.headers.get(name), text: await response.text() }
    },
    close: () => mf.dispose(),
  }
}

async function edgeRuntime(): Promise<Runtime> {
  const vm = new EdgeVM()
  vm.evaluate(await bundle('iife'))
  return {
    async send(path, init) {
      // The Request is built inside the VM, with the VM's own Fetch classes, as Vercel's edge does.
      vm.context.__input = { url: `https://edge.example.test${path}`, ...init }
      const response = (await vm.evaluate(
        '__worker.default.fetch(new Request(__input.url, { method: __input.method, headers: __input.headers, body: __input.body }))',
      )) as Response
      return { status: response.status, header: (name) => response.headers.get(name), text: await response.text() }
    },
    async close() {},
  }
}

describe.each([
  { name: 'workerd (Miniflare 3)', start: workerd },
  { name: 'Vercel Edge runtime (@edge-runtime/vm)', start: edgeRuntime },
])('$name', ({ start }) => {
  let runtime: Runtime

  beforeAll(async () => {
    runtime = await start()
  }, 60_000)

  afterAll(async () => {
    await runtime?.close()
  })

  async function deliver(path: string, id: string, signingSecret = secret): Promise<Answer> {
    const request = await signStripeRequest({
      secret: signingSecret,
      body: { id, object: 'event', type: 'invoice.paid' },
    })
    return runtime.send(path, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.body as string,
    })
  }

  it.each(ROUTES)('%s: enqueues a signed Stripe delivery once, with Web Crypto', async (path) => {
    const id = `evt_${path.slice(1)}_${randomBytes(6).toString('hex')}`
    const first = await deliver(path, id)
    expect(first.status).toBe(200)
    expect(JSON.parse(first.text)).toEqual({ ok: true, id })
    expect(first.header('x-crypto-backend')).toBe('web')

    const again = await deliver(path, id)
    expect(again.status).toBe(200)
    expect(JSON.parse(again.text)).toEqual({ ok: true, duplicate: true, id })

    const enqueued = await runtime.send('/enqueued', { method: 'GET', headers: {} })
    const ids = (JSON.parse(enqueued.text) as Record<string, string[]>)[path.slice(1)] ?? []
    expect(ids.filter((each) => each === id)).toHaveLength(1)
  })

  it.each(ROUTES)('%s: refuses a forged delivery with 401 and enqueues nothing', async (path) => {
    const id = `evt_forged_${randomBytes(6).toString('hex')}`
    const forged = await deliver(path, id, 'whsec_attacker')
    expect(forged.status).toBe(401)
    expect(JSON.parse(forged.text)).toMatchObject({ error: { code: 'invalid_signature' } })
    expect(forged.text).not.toContain(secret)

    const enqueued = await runtime.send('/enqueued', { method: 'GET', headers: {} })
    expect(Object.values(JSON.parse(enqueued.text) as Record<string, string[]>).flat()).not.toContain(id)
  })
})
