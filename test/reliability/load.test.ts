// A fixed-rate load on node:http (toNodeListener) with the Redis store: the server in its own
// process (--expose-gc), an open-loop sender in another. No error, no leak (the heap after
// forced collections at the end within 10 % of the heap after the warm-up), p99 reported.
// Full run: 60 s at 500 requests/s after a 10 s warm-up; CI: 5 s at 200/s after 3 s.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import type { LoadClientConfig, LoadClientMessage, LoadResult } from './processes/load-client.js'
import type { LoadServerConfig, LoadServerMessage } from './processes/load-server.js'
import { FULL, record } from './scale.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SERVER = fileURLToPath(new URL('./processes/load-server.ts', import.meta.url))
const CLIENT = fileURLToPath(new URL('./processes/load-client.ts', import.meta.url))
const RATE = Number(process.env.RELIABILITY_LOAD_RATE ?? (FULL ? 500 : 200))
const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? (FULL ? 60 : 5))
const WARMUP_SECONDS = FULL ? 10 : 3
const SECRET = 'whsec_reliability_load'
const run = `${process.pid}_${Date.now().toString(36)}`
const prefix = `webhook-inbox-reliability-load:${run}:`
const children: ChildProcess[] = []

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  if (!hasRedis) return
  const client = createClient({ url: redisUrl() })
  client.on('error', () => {})
  await client.connect()
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys)
  }
  await client.quit()
})

function child(path: string, env: Record<string, string>, execArgv: string[]): ChildProcess {
  const forked = fork(path, [], {
    execArgv: [...execArgv, '--import', 'tsx'],
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.push(forked)
  return forked
}

function next<M extends { type: string }>(process: ChildProcess, type: M['type']): Promise<M> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M | { type: 'fatal'; message: string }) => {
      if (message.type === 'fatal') reject(new Error((message as { message: string }).message))
      else if (message.type === type) {
        process.off('message', onMessage)
        resolve(message as M)
      }
    }
    process.on('message', onMessage)
    process.once('exit', (code) => reject(new Error(`child exited (${code}) before "${type}"`)))
  })
}

async function load(url: string, seconds: number, idPrefix: string): Promise<LoadResult> {
  const config: LoadClientConfig = { url, secret: SECRET, rate: RATE, seconds, idPrefix }
  const client = child(CLIENT, { LOAD_CLIENT: JSON.stringify(config) }, [])
  const done = await next<Extract<LoadClientMessage, { type: 'done' }>>(client, 'done')
  return done.result
}

describe.skipIf(!hasRedis)('load: node:http with the Redis store at a fixed rate', () => {
  it(`${RATE} requests/s for ${SECONDS} s: no error, no heap growth, p99 reported`, {
    timeout: (SECONDS + WARMUP_SECONDS) * 1000 + 120_000,
  }, async () => {
    const config: LoadServerConfig = { redisUrl: redisUrl(), prefix, secret: SECRET }
    const server = child(SERVER, { LOAD_SERVER: JSON.stringify(config) }, ['--expose-gc'])
    const { port } = await next<Extract<LoadServerMessage, { type: 'ready' }>>(server, 'ready')
    const url = `http://127.0.0.1:${port}/webhooks/stripe`
    const heap = async () => {
      const answer = next<Extract<LoadServerMessage, { type: 'heap' }>>(server, 'heap')
      server.send({ type: 'heap' })
      return answer
    }
    const warmup = await load(url, WARMUP_SECONDS, `evt_warm_${run}_`)
    const before = await heap()
    const result = await load(url, SECONDS, `evt_load_${run}_`)
    const after = await heap()
    const ratio = after.heapUsed / before.heapUsed
    const mib = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10
    record('load', {
      adapter: 'node:http',
      store: 'Redis',
      rate: RATE,
      seconds: SECONDS,
      requests: result.sent,
      ok: result.ok,
      failures: JSON.stringify(result.failures),
      achievedRate: result.achievedRate,
      p50Ms: result.p50,
      p99Ms: result.p99,
      maxMs: result.max,
      heapAfterWarmupMiB: mib(before.heapUsed),
      heapAtEndMiB: mib(after.heapUsed),
      heapRatio: Math.round(ratio * 1000) / 1000,
      rssAtEndMiB: mib(after.rss),
    })
    console.info(
      `[load] ${JSON.stringify({ ...result, heapRatio: ratio, before: before.heapUsed, after: after.heapUsed })}`,
    )
    expect(warmup.failures).toEqual({})
    expect(result.failures).toEqual({})
    expect(result.ok).toBe(result.sent)
    expect(after.errors).toBe(0)
    expect(after.enqueued).toBe(warmup.sent + result.sent)
    expect(ratio).toBeLessThan(1.1)
  })
})
