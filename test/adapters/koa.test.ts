import { createServer } from 'node:http'
import { bodyParser as koaBodyParser } from '@koa/bodyparser'
import Koa from 'koa'
import legacyBodyParser from 'koa-bodyparser'
import Koa2 from 'koa2'
import { describe, expect, it } from 'vitest'
import { toKoa } from '../../src/adapters/koa.js'
import type { HandlerSource } from '../../src/adapters/shared.js'
import { hmac, stripe } from '../../src/providers/index.js'
import { signHmacRequest, signStripeRequest } from '../../src/testing/index.js'
import { listen } from './listen.js'
import { PATH, type StartOptions, send, setup, testAdapter } from './suite.js'

type KoaClass = typeof Koa
type Before = 'none' | 'own-json' | '@koa/bodyparser' | 'koa-bodyparser'

/** A JSON parser that keeps no raw text, like many hand-written or older ones. */
const ownJsonParser: Koa.Middleware = async (ctx, next) => {
  if (ctx.is('application/json')) {
    const chunks: Buffer[] = []
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
    ;(ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  }
  await next()
}

function app(framework: KoaClass, handler: HandlerSource, { path, adapter }: StartOptions, before: Before) {
  const instance = new framework()
  // Koa reports a client that hung up mid-body (an llhttp HPE_ error on the response) through
  // app 'error'; anything else stays loud.
  instance.on('error', (error: { code?: string }) => {
    if (!String(error.code).startsWith('HPE_')) console.error(error)
  })
  if (before === 'own-json') instance.use(ownJsonParser)
  if (before === '@koa/bodyparser') instance.use(koaBodyParser())
  if (before === 'koa-bodyparser') instance.use(legacyBodyParser())
  const webhook = toKoa(handler, adapter)
  instance.use((ctx, next) => (ctx.path === path ? webhook(ctx, next) : next()))
  return listen(createServer(instance.callback()))
}

for (const [name, framework] of [
  ['koa 3', Koa],
  ['koa 2', Koa2 as KoaClass],
] as const) {
  testAdapter({
    name,
    start: (handler, options) => app(framework, handler, options, 'none'),
    startBehindParser: (handler, options) => app(framework, handler, options, 'own-json'),
  })

  describe(`${name}: body parsers that keep ctx.request.rawBody`, () => {
    for (const parser of ['@koa/bodyparser', 'koa-bodyparser'] as const) {
      it(`verifies a JSON delivery from the rawBody ${parser} kept`, async () => {
        const { handler, enqueued } = setup(stripe({ secret: 'whsec_koa' }))
        const server = await app(framework, handler, { path: PATH }, parser)
        try {
          const delivery = await signStripeRequest({ secret: 'whsec_koa', body: { id: 'evt_koa', type: 'a.b' } })
          expect((await send(server.url + PATH, delivery)).status).toBe(200)
        } finally {
          await server.close()
        }
        expect(enqueued.map((e) => e.id)).toEqual(['evt_koa'])
      })

      it(`reads the untouched stream for a content type ${parser} skips`, async () => {
        const { handler, enqueued } = setup(
          hmac({ name: 'bytes', header: 'x-sig', secret: 'koa-bytes', idHeader: 'x-id', body: 'text' }),
        )
        const bytes = Uint8Array.from([0, 1, 2, 0xff, 0xfe, 0x80, 10, 13])
        const server = await app(framework, handler, { path: PATH }, parser)
        try {
          const delivery = await signHmacRequest({
            secret: 'koa-bytes',
            header: 'x-sig',
            body: bytes,
            headers: { 'content-type': 'application/octet-stream', 'x-id': 'bin' },
          })
          expect((await send(server.url + PATH, delivery)).status).toBe(200)
        } finally {
          await server.close()
        }
        expect(Buffer.from(enqueued[0]?.body ?? '', 'base64')).toEqual(Buffer.from(bytes))
      })
    }
  })
}
