import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { createClient as createClientV4 } from 'redis4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isWebhookError } from '../../src/errors.js'
import { redisStore } from '../../src/stores/redis.js'
import { testDedupeStore } from '../../src/testing/store-suite.js'
import { redisUrl, requireService, tcpProbe } from '../helpers/services.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
// Every key this file writes lives under one random prefix, deleted at the end.
const prefix = `webhook-inbox-test:${globalThis.crypto.randomUUID()}:`

describe.skipIf(!hasRedis)('redisStore', () => {
  let nodeRedis: ReturnType<typeof createClient>
  let nodeRedisV4: ReturnType<typeof createClientV4>
  let ioredis: Redis

  beforeAll(async () => {
    nodeRedis = createClient({ url: redisUrl() })
    await nodeRedis.connect()
    nodeRedisV4 = createClientV4({ url: redisUrl() })
    await nodeRedisV4.connect()
    ioredis = new Redis(redisUrl(), { lazyConnect: true })
    await ioredis.connect()
  })

  afterAll(async () => {
    if (!nodeRedis) return
    let cursor = '0'
    do {
      const [next, keys] = (await ioredis.scan(
        cursor,
        'MATCH',
        `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        'COUNT',
        1000,
      )) as [string, string[]]
      cursor = next
      if (keys.length > 0) await ioredis.del(...keys)
    } while (cursor !== '0')
    await nodeRedis.quit()
    await nodeRedisV4.quit()
    ioredis.disconnect()
  })

  describe('with node-redis v5', () => {
    testDedupeStore({
      name: 'redisStore (node-redis)',
      create: () => redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix: `${prefix}nr:` }),
      shortMs: 200,
      describe,
      it,
      expect,
    })
  })

  describe('with node-redis v4', () => {
    testDedupeStore({
      name: 'redisStore (node-redis v4)',
      create: () => redisStore({ sendCommand: (...args) => nodeRedisV4.sendCommand(args), prefix: `${prefix}nr4:` }),
      shortMs: 200,
      describe,
      it,
      expect,
    })
  })

  describe('with ioredis', () => {
    testDedupeStore({
      name: 'redisStore (ioredis)',
      create: () =>
        redisStore({
          sendCommand: (command, ...args) => ioredis.call(command, ...args),
          prefix: `${prefix}io:`,
        }),
      shortMs: 200,
      describe,
      it,
      expect,
    })
  })

  function recording() {
    const sent: string[][] = []
    const store = redisStore({
      prefix: `${prefix}rec:`,
      sendCommand: (...args) => {
        sent.push(args)
        return nodeRedis.sendCommand(args)
      },
    })
    return { sent, store }
  }

  it('loads each script once and runs it with EVALSHA, falling back to EVAL after SCRIPT FLUSH', async () => {
    const { sent, store } = recording()
    const first = await store.claim(['github:1'], { leaseMs: 60_000 })
    expect(first.state).toBe('claimed')
    expect(sent.map((args) => args[0])).toEqual(['SCRIPT', 'EVALSHA'])
    sent.length = 0
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('in-flight')
    expect(sent.map((args) => args[0])).toEqual(['EVALSHA'])

    await nodeRedis.sendCommand(['SCRIPT', 'FLUSH'])
    sent.length = 0
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('in-flight')
    expect(sent.map((args) => args[0])).toEqual(['EVALSHA', 'EVAL'])
    sent.length = 0
    // EVAL cached the script again, so the known SHA works without another SCRIPT LOAD.
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('in-flight')
    expect(sent.map((args) => args[0])).toEqual(['EVALSHA'])

    await nodeRedis.sendCommand(['SCRIPT', 'FLUSH'])
    if (first.state !== 'claimed') throw new Error('expected a claim')
    expect(await store.complete(['github:1'], first.token, { retentionMs: 60_000 })).toBe(true)
    await nodeRedis.sendCommand(['SCRIPT', 'FLUSH'])
    expect((await store.claim(['github:1'], { leaseMs: 60_000 })).state).toBe('duplicate')
  })

  // Redis Cluster hashes only the text between the first `{` and the next `}` when there is one.
  const hashTag = (key: string) => {
    const open = key.indexOf('{')
    const close = key.indexOf('}', open + 1)
    return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key
  }

  it('sends all keys of a claim as KEYS[i], in one hash slot (Redis Cluster rules)', async () => {
    const { sent, store } = recording()
    const keys = ['stripe:evt_*?[a]', 'stripe:sig:{x}', `stripe:${'y'.repeat(300)}`]
    const claim = await store.claim(keys, { leaseMs: 60_000 })
    if (claim.state !== 'claimed') throw new Error('expected a claim')
    await store.release(keys, claim.token)
    const evals = sent.filter((args) => args[0] === 'EVALSHA' || args[0] === 'EVAL')
    expect(evals).toHaveLength(2)
    for (const args of evals) {
      expect(args[2]).toBe('3')
      expect(args[3]).toBe(`${prefix}rec:{dedupe}:stripe:evt_*?[a]`)
      expect(args[4]).toBe(`${prefix}rec:{dedupe}:stripe:sig:{x}`)
      expect(args.slice(3, 6).map(hashTag)).toEqual(['dedupe', 'dedupe', 'dedupe'])
    }
    for (const args of sent.filter((a) => a[0] === 'SCRIPT')) expect(args[1]).toBe('LOAD')
  })

  it('a prefix with its own hash tag picks the slot', async () => {
    const sent: string[][] = []
    const store = redisStore({
      prefix: `{${prefix}own}:`,
      sendCommand: (...args) => {
        sent.push(args)
        return nodeRedis.sendCommand(args)
      },
    })
    const claim = await store.claim(['github:1', 'github:sig:2'], { leaseMs: 60_000 })
    if (claim.state !== 'claimed') throw new Error('expected a claim')
    await store.release(['github:1', 'github:sig:2'], claim.token)
    const args = sent.find((a) => a[0] === 'EVALSHA') as string[]
    expect(args.slice(3, 5).map(hashTag)).toEqual([`${prefix}own`, `${prefix}own`])
    expect(() => redisStore({ sendCommand: async () => null, prefix: 'a{}' })).toThrow(/hash tag/)
  })

  it('stores the value with the lease as a Redis expiry, and the done marker with the retention', async () => {
    const store = redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix: `${prefix}ttl:` })
    const claim = await store.claim(['hmac:ttl'], { leaseMs: 45_000 })
    if (claim.state !== 'claimed') throw new Error('expected a claim')
    const leaseTtl = await ioredis.pttl(`${prefix}ttl:{dedupe}:hmac:ttl`)
    expect(leaseTtl).toBeGreaterThan(40_000)
    expect(leaseTtl).toBeLessThanOrEqual(45_000)
    expect(await ioredis.get(`${prefix}ttl:{dedupe}:hmac:ttl`)).toBe(`p:${claim.token}`)
    await store.complete(['hmac:ttl'], claim.token, { retentionMs: 7_200_000 })
    expect(await ioredis.get(`${prefix}ttl:{dedupe}:hmac:ttl`)).toBe('d')
    expect(await ioredis.pttl(`${prefix}ttl:{dedupe}:hmac:ttl`)).toBeGreaterThan(7_000_000)
  })

  it('stores long ids and ids with a NUL under a hash, without collisions', async () => {
    const { sent, store } = recording()
    const long = `github:${'a'.repeat(300)}`
    const claim = await store.claim([long], { leaseMs: 60_000 })
    expect(claim.state).toBe('claimed')
    const keySent = sent.find((args) => args[0] === 'EVALSHA')?.[3]
    expect(keySent).toMatch(
      new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}rec:\\{dedupe\\}:sha256:[0-9a-f]{64}$`),
    )
    // An id that looks like a stored hash is hashed again, so it cannot take the long id's place.
    const lookalike = (keySent as string).slice(`${prefix}rec:{dedupe}:`.length)
    expect((await store.claim([lookalike], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim([`${long}b`], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim([long], { leaseMs: 60_000 })).state).toBe('in-flight')
    expect((await store.claim(['github:a\0b'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await store.claim(['github:a\0c'], { leaseMs: 60_000 })).state).toBe('claimed')
  })

  it('keys under different prefixes do not meet', async () => {
    const a = redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix: `${prefix}a:` })
    const b = redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix: `${prefix}b:` })
    expect((await a.claim(['hmac:1'], { leaseMs: 60_000 })).state).toBe('claimed')
    expect((await b.claim(['hmac:1'], { leaseMs: 60_000 })).state).toBe('claimed')
  })

  it('close() leaves the caller’s client connected', async () => {
    const store = redisStore({ sendCommand: (...args) => nodeRedis.sendCommand(args), prefix: `${prefix}close:` })
    await store.close?.()
    await store.close?.()
    expect(nodeRedis.isOpen).toBe(true)
    expect(await nodeRedis.ping()).toBe('PONG')
  })
})

describe('redisStore setup and failures (no server needed)', () => {
  it('refuses a missing sendCommand with a message that says what to pass', () => {
    expect(() => redisStore({} as never)).toThrow(/sendCommand.*client\.sendCommand\(args\)/)
    expect(() => redisStore({ sendCommand: async () => 'OK', prefix: 5 as never })).toThrow(/prefix/)
  })

  it('turns a failing client into a store_unavailable error without the key or token in the message', async () => {
    const store = redisStore({
      sendCommand: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1')
      },
    })
    const error = await store.claim(['stripe:evt_secret_id'], { leaseMs: 1000 }).catch((e: unknown) => e)
    expect(isWebhookError(error)).toBe(true)
    expect((error as { code: string }).code).toBe('store_unavailable')
    expect((error as Error).message).not.toContain('evt_secret_id')
    expect((error as Error).message).toMatch(/^\[webhook-inbox\] redisStore: claim failed/)
  })

  it('loads the script again after a failed SCRIPT LOAD', async () => {
    let up = false
    const calls: string[] = []
    const store = redisStore({
      sendCommand: async (...args) => {
        calls.push(args[0] as string)
        if (!up) throw new Error('ECONNREFUSED')
        if (args[0] === 'SCRIPT') return 'abc'
        return 0
      },
    })
    await expect(store.release(['k'], 't')).rejects.toThrow(/release failed/)
    up = true
    expect(await store.release(['k'], 't')).toBe(false)
    expect(calls).toEqual(['SCRIPT', 'SCRIPT', 'EVALSHA'])
  })
})
