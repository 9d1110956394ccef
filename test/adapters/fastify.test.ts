import Fastify, { type FastifyInstance } from 'fastify'
import Fastify4 from 'fastify4'
import { describe, expect, it } from 'vitest'
import { toFastify } from '../../src/adapters/fastify.js'
import type { HandlerSource } from '../../src/adapters/shared.js'
import { stripe } from '../../src/providers/index.js'
import { signStripeRequest } from '../../src/testing/index.js'
import { PATH, type StartOptions, send, setup, testAdapter } from './suite.js'

async function app(handler: HandlerSource, options: StartOptions) {
  return serve(Fastify({ forceCloseConnections: true }) as unknown as FastifyInstance, handler, options)
}

async function app4(handler: HandlerSource, options: StartOptions) {
  return serve(Fastify4({ forceCloseConnections: true }) as unknown as FastifyInstance, handler, options)
}

async function serve(instance: FastifyInstance, handler: HandlerSource, { path, adapter }: StartOptions) {
  // Close drops connections still draining a refused body, as the other harnesses do.
  await instance.register(toFastify(handler, adapter), { prefix: path })
  // A sibling route outside the plugin's scope: it must keep Fastify's JSON parsing.
  instance.post('/json', async (request) => ({ parsed: request.body }))
  await instance.listen({ port: 0, host: '127.0.0.1' })
  const address = instance.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, close: () => instance.close() }
}

testAdapter({ name: 'fastify 5', start: app })
testAdapter({ name: 'fastify 4', start: app4 })

describe('fastify 5: the plugin keeps its raw parser to its own scope', () => {
  it('leaves JSON parsing to the rest of the app while the webhook route gets raw bytes', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_fastify' }))
    const server = await app(handler, { path: PATH })
    try {
      const sibling = await fetch(`${server.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":[1,2],"b":"x"}',
      })
      expect(await sibling.json()).toEqual({ parsed: { a: [1, 2], b: 'x' } })
      const delivery = await signStripeRequest({
        secret: 'whsec_fastify',
        body: '{ "id": "evt_fastify",  "type": "spaced.out" }',
      })
      expect((await send(server.url + PATH, delivery)).status).toBe(200)
    } finally {
      await server.close()
    }
    expect(enqueued[0]?.body).toBe('{ "id": "evt_fastify",  "type": "spaced.out" }')
  })

  it('serves the route at a custom path inside the prefix', async () => {
    const { handler, enqueued } = setup(stripe({ secret: 'whsec_fastify' }))
    const instance = Fastify()
    await instance.register(toFastify(handler, { path: '/stripe' }), { prefix: '/webhooks' })
    try {
      const delivery = await signStripeRequest({ secret: 'whsec_fastify', body: { id: 'evt_path', type: 't' } })
      const response = await instance.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: delivery.headers as Record<string, string>,
        payload: delivery.body as string,
      })
      expect(response.statusCode).toBe(200)
    } finally {
      await instance.close()
    }
    expect(enqueued.map((e) => e.id)).toEqual(['evt_path'])
  })
})
