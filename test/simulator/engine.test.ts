import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/adapters/node.js'
import { createWebhookHandler, memoryStore } from '../../src/index.js'
import { github, linear, shopify, stripe } from '../../src/providers/index.js'
import { DELIVERY_PROVIDERS, deliveryProfile, simulateProvider } from '../../src/simulator/index.js'

const SECRET = 'whsec_simulator_test'
const MINUTE = 60_000

interface Received {
  headers: IncomingMessage['headers']
  body: string
  complete: boolean
}

let server: Server | undefined
async function closeServer() {
  const current = server
  server = undefined
  if (!current?.listening) return
  current.closeAllConnections()
  await new Promise((resolve) => current.close(resolve))
}
afterEach(closeServer)

/** A raw endpoint that records every request and answers with `answer(n)` (n counts from 1 per event id). */
async function endpoint(
  answer: (attempt: number, response: ServerResponse) => void,
  idOf: (received: Received) => string = () => 'all',
) {
  const received: Received[] = []
  const counts = new Map<string, number>()
  let inFlight = 0
  let maxInFlight = 0
  server = createServer((request, response) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('close', () => {
      if (!request.complete) {
        inFlight--
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString(), complete: false })
      }
    })
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString(), complete: true }
      received.push(entry)
      const id = idOf(entry)
      const n = (counts.get(id) ?? 0) + 1
      counts.set(id, n)
      // Answer on the next turn so that concurrent requests overlap measurably.
      setImmediate(() => {
        inFlight--
        answer(n, response)
      })
    })
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server?.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, received, maxInFlight: () => maxInFlight }
}

function failTwiceThenOk(attempt: number, response: ServerResponse) {
  response.writeHead(attempt <= 2 ? 500 : 200, { 'content-type': 'application/json' }).end('{}')
}

/** A clock that advances 100 s per reading, and a sleep that records what it was asked to wait. */
function time() {
  let now = Date.UTC(2026, 5, 1)
  const waits: number[] = []
  return { now: () => (now += 100_000), sleep: async (ms: number) => void waits.push(ms), waits }
}

describe('simulateProvider: retries as the provider sends them', () => {
  it('Stripe: signs every retry again with a new timestamp over the same body, on its schedule', async () => {
    const target = await endpoint(failTwiceThenOk)
    const clock = time()
    const report = await simulateProvider({ provider: 'stripe', secret: SECRET, url: target.url, events: 1, ...clock })
    expect(report).toMatchObject({ events: 1, attempts: 3, accepted: 1, retried: 2, stillFailing: 0 })
    expect(report.statuses).toEqual({ '200': 1, '500': 2 })
    const signatures = target.received.map((r) => r.headers['stripe-signature'] as string)
    const timestamps = signatures.map((s) => /t=(\d+)/.exec(s)?.[1])
    expect(new Set(timestamps).size).toBe(3)
    expect(new Set(target.received.map((r) => r.body)).size).toBe(1)
    expect(clock.waits).toEqual([MINUTE, 5 * MINUTE])
  })

  it('Shopify: resends the same bytes and headers, and `fast` divides the delays by 1000', async () => {
    const target = await endpoint(failTwiceThenOk)
    const clock = time()
    const report = await simulateProvider({
      provider: 'shopify',
      secret: SECRET,
      url: target.url,
      events: 1,
      retrySchedule: 'fast',
      ...clock,
    })
    expect(report.accepted).toBe(1)
    const [first, ...retries] = target.received
    for (const retry of retries) {
      expect(retry.body).toBe(first?.body)
      expect(retry.headers['x-shopify-hmac-sha256']).toBe(first?.headers['x-shopify-hmac-sha256'])
      expect(retry.headers['x-shopify-event-id']).toBe(first?.headers['x-shopify-event-id'])
    }
    expect(clock.waits).toEqual([60, 120])
  })

  it('Slack: marks retries with X-Slack-Retry-Num and the reason, signed anew', async () => {
    const target = await endpoint(failTwiceThenOk)
    await simulateProvider({ provider: 'slack', secret: SECRET, url: target.url, events: 1, ...time() })
    expect(target.received.map((r) => r.headers['x-slack-retry-num'])).toEqual([undefined, '1', '2'])
    expect(target.received[1]?.headers['x-slack-retry-reason']).toBe('http_error')
    expect(new Set(target.received.map((r) => r.headers['x-slack-request-timestamp'])).size).toBe(3)
  })

  it('waits for Retry-After (seconds) instead of the schedule, scaled like it with `fast`', async () => {
    const answer = (attempt: number, response: ServerResponse) =>
      attempt === 1
        ? response.writeHead(409, { 'retry-after': '7' }).end()
        : response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    for (const [schedule, wait] of [
      ['provider', 7000],
      ['fast', 7],
    ] as const) {
      const target = await endpoint(answer)
      const clock = time()
      await simulateProvider({
        provider: 'standard-webhooks',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        url: target.url,
        events: 1,
        retrySchedule: schedule,
        ...clock,
      })
      expect(clock.waits).toEqual([wait])
      await closeServer()
    }
  })

  it('GitHub does not retry: a failing endpoint leaves every event unacknowledged', async () => {
    const target = await endpoint((_n, response) => response.writeHead(503).end())
    const report = await simulateProvider({ provider: 'github', secret: SECRET, url: target.url, events: 5, ...time() })
    expect(report).toMatchObject({ attempts: 5, retried: 0, accepted: 0, stillFailing: 5 })
    expect(report.failingIds).toHaveLength(5)
  })
})

describe('simulateProvider: duplicates, reordering, broken connections, concurrency', () => {
  it('cuts connections mid-body, retries them, and the handler enqueues each event exactly once', async () => {
    const enqueued = new Map<string, number>()
    const handler = createWebhookHandler({
      provider: stripe({ secret: SECRET }),
      store: memoryStore(),
      enqueue: async (event) => void enqueued.set(event.id, (enqueued.get(event.id) ?? 0) + 1),
    })
    const truncated: number[] = []
    server = createServer((request, response) => {
      request.on('aborted', () => truncated.push(1))
      toNodeListener(handler)(request, response)
    })
    server.listen(0, '127.0.0.1')
    await new Promise((resolve) => server?.once('listening', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`
    const report = await simulateProvider({
      provider: 'stripe',
      secret: SECRET,
      url,
      events: 60,
      concurrency: 8,
      duplicates: 0.5,
      reorder: true,
      failConnection: 0.2,
      retrySchedule: 'fast',
      seed: 42,
      sleep: async () => {},
    })
    expect(report.stillFailing).toBe(0)
    expect(report.accepted).toBe(60)
    expect(report.deliveries).toBeGreaterThan(60)
    expect(report.statuses.dropped).toBeGreaterThan(0)
    expect(report.duplicatesAnswered + report.acceptedAgain + (report.statuses['409'] ?? 0)).toBeGreaterThan(0)
    expect(report.acceptedAgain).toBe(0)
    expect(enqueued.size).toBe(60)
    expect([...enqueued.values()].every((n) => n === 1)).toBe(true)
    // Reordered: the order of first attempts is not the order the events were created in.
    const firstAttempts = [...new Set(report.log.map((entry) => entry.eventId))]
    expect(firstAttempts).not.toEqual([...firstAttempts].sort())
    // The same seed makes the same choices.
    expect(report.seed).toBe(42)
  })

  it('a "200 duplicate" that overtakes the original\'s 200 is no second acceptance', async () => {
    // The first delivery of each event is answered last, its concurrent copy at once as a duplicate,
    // as a receiver does when the copy arrives just after the event was stored.
    const target = await endpoint(
      (n, response) => {
        const send = (body: string) => response.writeHead(200, { 'content-type': 'application/json' }).end(body)
        if (n === 1) setTimeout(() => send('{"ok":true}'), 40)
        else send('{"ok":true,"duplicate":true}')
      },
      (received) => (JSON.parse(received.body) as { id: string }).id,
    )
    const report = await simulateProvider({
      provider: 'stripe',
      secret: SECRET,
      url: target.url,
      events: 12,
      concurrency: 8,
      duplicates: 1,
      seed: 7,
      sleep: async () => {},
    })
    expect(report.accepted).toBe(12)
    expect(report.duplicatesAnswered).toBe(12)
    expect(report.acceptedAgain).toBe(0)
  })

  it('GitHub, Shopify, Linear: distinct events are distinct signed bytes, so none is taken for a replay of another', async () => {
    // Their ids travel in unsigned headers: the receiver also dedupes on the signed bytes, and
    // same-type samples used to be byte-identical (16 of 20 GitHub events answered as duplicates).
    for (const [name, provider] of [
      ['github', github({ secret: SECRET })],
      ['shopify', shopify({ secret: SECRET })],
      ['linear', linear({ secret: SECRET })],
    ] as const) {
      const ids = new Set<string>()
      const handler = createWebhookHandler({
        provider,
        store: memoryStore(),
        enqueue: async (event) => {
          ids.add(event.id)
        },
      })
      server = createServer(toNodeListener(handler))
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
      const report = await simulateProvider({
        provider: name,
        secret: SECRET,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        events: 20,
        retrySchedule: 'fast',
      })
      expect(report.accepted, name).toBe(20)
      expect(report.duplicatesAnswered, name).toBe(0)
      expect(ids.size, name).toBe(20)
      await closeServer()
    }
  })

  it('signs each attempt when a connection slot frees, not before waiting for one', async () => {
    // The clock moves one second per request the endpoint receives: an attempt signed before it
    // queued for a slot would carry the time of the run's start.
    let clock = 1_800_000_000_000
    const { received, url } = await endpoint((_, response) => response.writeHead(200).end())
    server?.prependListener('request', () => {
      clock += 1000
    })
    await simulateProvider({ provider: 'stripe', secret: SECRET, url, events: 5, concurrency: 1, now: () => clock })
    const stamps = received.map((r) => Number(/t=(\d+)/.exec(String(r.headers['stripe-signature']))?.[1]))
    expect(stamps).toEqual([0, 1, 2, 3, 4].map((n) => 1_800_000_000 + n))
  })

  it('keeps at most `concurrency` requests in flight', async () => {
    const target = await endpoint((_n, response) => response.writeHead(200).end())
    await simulateProvider({ provider: 'github', secret: SECRET, url: target.url, events: 40, concurrency: 3 })
    expect(target.maxInFlight()).toBeLessThanOrEqual(3)
    expect(target.maxInFlight()).toBeGreaterThan(1)
  })

  it('stops at once when nothing listens instead of retrying for days', async () => {
    const target = await endpoint(() => {})
    await closeServer()
    const report = await simulateProvider({
      provider: 'stripe',
      secret: SECRET,
      url: target.url,
      events: 20,
      concurrency: 2,
    })
    expect(report.unreachable).toBe('ECONNREFUSED')
    expect(report.attempts).toBeLessThanOrEqual(20)
    expect(report.stillFailing).toBe(20)
  })

  it('refuses setup mistakes with a WebhookConfigError', async () => {
    const target = 'http://127.0.0.1:9/hook'
    await expect(simulateProvider({ provider: 'strip' as never, secret: SECRET, url: target })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('unknown provider "strip"; known: discord, github'),
    })
    await expect(simulateProvider({ provider: 'stripe', secret: '', url: target })).rejects.toMatchObject({
      code: 'invalid_config',
    })
    await expect(simulateProvider({ provider: 'stripe', secret: SECRET, url: 'localhost:3000' })).rejects.toMatchObject(
      {
        code: 'invalid_config',
      },
    )
  })

  it('knows every provider it lists', () => {
    for (const name of DELIVERY_PROVIDERS) expect(deliveryProfile(name)?.provider).toBe(name)
    expect(deliveryProfile('hasOwnProperty')).toBeUndefined()
  })
})
