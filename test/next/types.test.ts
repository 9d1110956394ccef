import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { NextApiHandler } from 'next'
import type { NextRequest } from 'next/server.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { toNextPagesRoute, toNextRoute } from '../../src/adapters/next.js'
import { createWebhookHandler } from '../../src/index.js'
import { stripe } from '../../src/providers/index.js'
import { ensureBuilt, root } from '../edge/dist.js'

// Checked by `tsc --noEmit`: what the adapters return fits what Next.js expects of a
// pages/api default export and of an App Router route export, in a TypeScript app.
describe('types against Next.js', () => {
  const handler = createWebhookHandler({
    provider: stripe<{ id: string }>({ secret: 'whsec_types' }),
    enqueue: () => {},
    onWarning: () => {},
  })

  it('toNextPagesRoute is a NextApiHandler', () => {
    const route: NextApiHandler = toNextPagesRoute(handler)
    expect(typeof route).toBe('function')
  })

  it('toNextRoute takes a NextRequest and returns a Promise<Response>', () => {
    const POST = toNextRoute(handler)
    expectTypeOf(POST).parameter(0).toExtend<Request>()
    expectTypeOf<NextRequest>().toExtend<Parameters<typeof POST>[0]>()
    expectTypeOf(POST).returns.toEqualTypeOf<Promise<Response>>()
  })

  it('examples/next type-checks (JSDoc, against the built declarations)', () => {
    ensureBuilt()
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    let output = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', join(root, 'examples', 'next', 'jsconfig.json')], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error)
    }
    expect(output).toBe('')
  }, 60_000)
})
