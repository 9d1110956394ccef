// The replay of a signed body under a new unsigned id is a duplicate on the shared stores too,
// end to end through the handler and over real HTTP (node:http + toNodeListener).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { github } from '../../src/providers/index.js'
import { postgresStore } from '../../src/stores/postgres.js'
import { redisStore } from '../../src/stores/redis.js'
import type { DedupeStore } from '../../src/stores/types.js'
import { signGitHubRequest } from '../../src/testing/index.js'
import { databaseUrl, redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { receiver } from './receiver.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))
const run = globalThis.crypto.randomUUID().slice(0, 8)

async function replayOverHttp(store: DedupeStore) {
  const { handler, events } = receiver(github({ secret: 's' }), { store })
  const server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const send = async (delivery: string) => {
    const signed = await signGitHubRequest({ secret: 's', body: { run, n: 1 }, id: delivery, event: 'push' })
    const response = await fetch(`http://127.0.0.1:${port}/webhooks`, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: signed.body as string,
    })
    return (await response.json()) as { duplicate?: boolean }
  }
  try {
    expect(await send(`${run}-1`)).not.toHaveProperty('duplicate')
    expect(await send(`${run}-2`)).toMatchObject({ duplicate: true })
    expect(events.map((e) => e.id)).toEqual([`${run}-1`])
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe.skipIf(!hasRedis)('redisStore', () => {
  const client = createClient({ url: redisUrl() })
  const prefix = `webhook-inbox-test:replay:${run}:`
  beforeAll(async () => {
    await client.connect()
  })
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(keys)
    await client.quit()
  })
  it('a signed body re-sent under another X-GitHub-Delivery is a duplicate', async () => {
    await replayOverHttp(redisStore({ sendCommand: (...args) => client.sendCommand(args), prefix }))
  })
})

describe.skipIf(!hasPostgres)('postgresStore', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 })
  const table = `replay_${run}`
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })
  it('a signed body re-sent under another X-GitHub-Delivery is a duplicate', async () => {
    await replayOverHttp(postgresStore({ query: (text, params) => pool.query(text, params), table }))
  })
})
