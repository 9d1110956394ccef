import { createServer, type Server, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWebhookHandler } from '../../src/core/handler.js'
import { hmac } from '../../src/providers/hmac.js'
import { postgresStore } from '../../src/stores/postgres.js'
import { redisStore } from '../../src/stores/redis.js'
import type { DedupeStore } from '../../src/stores/types.js'
import { signHmacRequest } from '../../src/testing/signers.js'

const secret = 'unreachable-store-secret'
const header = 'x-test-signature'

// A store must never hang a delivery: whatever the client does, the handler answers 503 after
// storeTimeoutMs, nothing is enqueued, and the provider retries.
async function deliver(store: DedupeStore, id: string) {
  const enqueued: string[] = []
  const errors: unknown[] = []
  const handler = createWebhookHandler({
    provider: hmac<{ id: string }>({ header, secret, id: (payload) => payload.id }),
    store,
    storeTimeoutMs: 50,
    enqueue: (event) => {
      enqueued.push(event.id)
    },
    onError: (info) => errors.push(info.error),
  })
  const response = await handler.handle(await signHmacRequest({ secret, header, body: { id } }))
  return { response, enqueued, errors }
}

function never(): Promise<never> {
  return new Promise(() => {})
}

describe('a store whose client never answers', () => {
  // Accepts TCP connections and never writes a byte: a server that hangs, or a network that drops.
  let blackhole: Server
  let port: number
  const sockets = new Set<Socket>()

  beforeAll(async () => {
    blackhole = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve))
    port = (blackhole.address() as { port: number }).port
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => blackhole?.close(resolve))
  })

  it('redisStore with a sendCommand that never settles: 503 store_timeout, nothing enqueued', async () => {
    const { response, enqueued } = await deliver(redisStore({ sendCommand: never }), 'evt_r1')
    expect(response.status).toBe(503)
    expect(JSON.parse(response.body).error.code).toBe('store_timeout')
    expect(enqueued).toEqual([])
  })

  it('postgresStore with a query that never settles: 503 store_timeout, nothing enqueued', async () => {
    const { response, enqueued } = await deliver(postgresStore({ query: never }), 'evt_p1')
    expect(response.status).toBe(503)
    expect(JSON.parse(response.body).error.code).toBe('store_timeout')
    expect(enqueued).toEqual([])
  })

  it('redisStore on a real ioredis client whose server never answers: 503', async () => {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 })
    client.on('error', () => {})
    client.connect().catch(() => {})
    try {
      const store = redisStore({ sendCommand: (command, ...args) => client.call(command, ...args) })
      const { response, enqueued } = await deliver(store, 'evt_r2')
      expect(response.status).toBe(503)
      expect(JSON.parse(response.body).error.code).toBe('store_timeout')
      expect(enqueued).toEqual([])
    } finally {
      client.disconnect()
    }
  })

  it('postgresStore on a real pg Pool whose server never answers: 503', async () => {
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'test',
      connectionTimeoutMillis: 2_000,
    })
    pool.on('error', () => {})
    try {
      const store = postgresStore({ query: (text, params) => pool.query(text, params) })
      const { response, enqueued } = await deliver(store, 'evt_p2')
      expect(response.status).toBe(503)
      expect(JSON.parse(response.body).error.code).toBe('store_timeout')
      expect(enqueued).toEqual([])
    } finally {
      for (const socket of sockets) socket.destroy()
      await pool.end().catch(() => {})
    }
  })

  it('redisStore on a port where nothing listens: 503 store_unavailable once the client gives up', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    const client = new Redis({
      host: '127.0.0.1',
      port: deadPort,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    client.on('error', () => {})
    try {
      const store = redisStore({ sendCommand: (command, ...args) => client.call(command, ...args) })
      const { response, enqueued, errors } = await deliver(store, 'evt_r3')
      expect(response.status).toBe(503)
      expect(JSON.parse(response.body).error.code).toBe('store_unavailable')
      expect(enqueued).toEqual([])
      expect(errors).toHaveLength(1)
    } finally {
      client.disconnect()
    }
  })
})
