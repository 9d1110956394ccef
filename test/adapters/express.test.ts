import { createServer } from 'node:http'
import express from 'express'
import express4 from 'express4'
import { describe, expect, it } from 'vitest'
import { toExpress } from '../../src/adapters/express.js'
import type { HandlerSource } from '../../src/adapters/shared.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { listen, splitPath } from './listen.js'
import { PATH, type StartOptions, send, setup, testAdapter } from './suite.js'

type ExpressModule = typeof express

function app(
  framework: ExpressModule,
  handler: HandlerSource,
  { path, adapter }: StartOptions,
  before: 'none' | 'json' | 'raw' | 'text' = 'none',
) {
  const instance = framework()
  if (before === 'json') instance.use(framework.json())
  const { prefix, route } = splitPath(path)
  const router = framework.Router()
  if (before === 'raw') router.all(route, framework.raw({ type: '*/*', limit: '5mb' }), toExpress(handler, adapter))
  else if (before === 'text') router.all(route, framework.text({ type: '*/*' }), toExpress(handler, adapter))
  else router.all(route, toExpress(handler, adapter))
  instance.use(prefix, router)
  return listen(createServer(instance))
}

for (const [name, framework] of [
  ['express 5', express],
  ['express 4', express4 as ExpressModule],
] as const) {
  testAdapter({
    name,
    start: (handler, options) => app(framework, handler, options),
    startBehindParser: (handler, options) => app(framework, handler, options, 'json'),
  })

  describe(`${name}: express.raw() and other parsers on the route`, () => {
    it('takes the Buffer left by a route-level express.raw()', async () => {
      const { handler, enqueued } = setup(stripe({ secret: 'whsec_raw' }))
      const server = await app(framework, handler, { path: PATH }, 'raw')
      try {
        const delivery = await signStripeRequest({ secret: 'whsec_raw', body: { id: 'evt_raw', type: 'x' } })
        expect((await send(server.url + PATH, delivery)).status).toBe(200)
      } finally {
        await server.close()
      }
      expect(enqueued.map((e) => e.id)).toEqual(['evt_raw'])
    })

    it('refuses the string left by express.text(), saying how to mount the route', async () => {
      const { handler, enqueued } = setup(stripe({ secret: 'whsec_raw' }))
      const server = await app(framework, handler, { path: PATH }, 'text')
      try {
        const delivery = await signStripeRequest({ secret: 'whsec_raw', body: { id: 'evt_text', type: 'x' } })
        const answer = await send(server.url + PATH, delivery)
        expect(answer.status).toBe(500)
        const { error } = answer.json() as { error: { code: string; message: string } }
        expect(error.code).toBe('body_already_parsed')
        expect(error.message).toContain("express.raw({ type: '*/*' })")
        expect(error.message).toContain('before app.use(express.json())')
      } finally {
        await server.close()
      }
      expect(enqueued).toHaveLength(0)
    })
  })
}
