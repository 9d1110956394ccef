// An Express endpoint for `webhook-inbox send|simulate`: Stripe, GitHub and Shopify routes, an
// in-memory store, and an `enqueue` that can fail the first attempts of every event, as a server
// having a bad minute does. Counts what it enqueued, so a run can be checked: GET /enqueued.
//
//   node --import tsx examples/cli/server.ts                     # listens on PORT or 3000
//   FAIL_FIRST=2 node --import tsx examples/cli/server.ts        # every event fails twice first
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import express from 'express'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toExpress } from 'webhook-inbox/express'
import { github, shopify, stripe } from 'webhook-inbox/providers'

/** Options of {@link startExampleServer}. */
export interface ExampleServerOptions {
  /** Secret of every route. @default 'example-secret' */
  secret?: string
  /** `enqueue` throws for the first `failFirst` attempts of each event id. @default 0 */
  failFirst?: number
  /** @default 0 (any free port) */
  port?: number
}

export interface ExampleServer {
  url: string
  /** Times each `provider:id` was enqueued. */
  enqueued: Map<string, number>
  /** `enqueue` calls that threw on purpose. */
  failures: () => number
  close(): Promise<void>
}

export async function startExampleServer(options: ExampleServerOptions = {}): Promise<ExampleServer> {
  const secret = options.secret ?? 'example-secret'
  const failFirst = options.failFirst ?? 0
  const enqueued = new Map<string, number>()
  const attempts = new Map<string, number>()
  let failures = 0
  const route = (provider: ReturnType<typeof stripe>) =>
    toExpress(
      createWebhookHandler({
        provider,
        store: memoryStore(),
        enqueue: async (event) => {
          const key = `${event.provider}:${event.id}`
          const attempt = (attempts.get(key) ?? 0) + 1
          attempts.set(key, attempt)
          if (attempt <= failFirst) {
            failures++
            throw new Error('the queue is unavailable (on purpose)')
          }
          enqueued.set(key, (enqueued.get(key) ?? 0) + 1)
        },
      }),
    )

  const app = express()
  app.post('/webhooks/stripe', route(stripe({ secret })))
  app.post('/webhooks/github', route(github({ secret })))
  app.post('/webhooks/shopify', route(shopify({ secret })))
  app.get('/enqueued', (_request, response) => {
    response.json({ events: enqueued.size, enqueues: [...enqueued.values()].reduce((a, b) => a + b, 0), failures })
  })

  const server: Server = app.listen(options.port ?? 0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    enqueued,
    failures: () => failures,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startExampleServer({
    port: Number(process.env.PORT ?? 3000),
    failFirst: Number(process.env.FAIL_FIRST ?? 0),
  })
  console.log(`listening on ${server.url} (POST /webhooks/stripe, /webhooks/github, /webhooks/shopify; GET /enqueued)`)
}
