// The server side of the load run, run with `node --expose-gc --import tsx` and an IPC channel:
// node:http (toNodeListener) with the Redis store, and an enqueue that only counts. On `heap` it
// forces two full collections and answers with the heap in use.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from 'redis'
import { toNodeListener } from '../../../src/adapters/node.js'
import { createWebhookHandler } from '../../../src/index.js'
import { stripe } from '../../../src/providers/index.js'
import { redisStore } from '../../../src/stores/redis.js'

export interface LoadServerConfig {
  redisUrl: string
  prefix: string
  secret: string
}

export type LoadServerMessage =
  | { type: 'ready'; port: number }
  | { type: 'heap'; heapUsed: number; rss: number; enqueued: number; errors: number }
  | { type: 'fatal'; message: string }

const send = (message: LoadServerMessage) => process.send?.(message)

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LOAD_SERVER ?? '') as LoadServerConfig
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with --expose-gc')
  const client = createClient({ url: config.redisUrl })
  client.on('error', () => {})
  await client.connect()
  let enqueued = 0
  let errors = 0
  const handler = createWebhookHandler({
    provider: stripe({ secret: config.secret }),
    store: redisStore({ sendCommand: (...args) => client.sendCommand(args), prefix: config.prefix }),
    logger: false,
    onError: () => {
      errors++
    },
    enqueue: async () => {
      enqueued++
    },
  })
  const server = createServer(toNodeListener(handler))
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.on('message', async (message: { type?: string }) => {
    if (message?.type !== 'heap') return
    // Two collections and a turn of the event loop in between, so that finalizers have run.
    gc()
    await new Promise((resolve) => setTimeout(resolve, 50))
    gc()
    const usage = process.memoryUsage()
    send({ type: 'heap', heapUsed: usage.heapUsed, rss: usage.rss, enqueued, errors })
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
}

main().catch((error: unknown) => {
  send({ type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
