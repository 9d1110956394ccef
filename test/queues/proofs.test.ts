import { afterAll, beforeAll, describe, it } from 'vitest'
import { amqpUrl, databaseUrl, natsUrl, redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import type { Engine } from './fixtures/engines.js'
import {
  closeReceivers,
  type EngineRig,
  openRig,
  proveCompleteWindow,
  proveEngineOutage,
  proveQueueExactlyOnce,
} from './scenarios.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))
const available: Record<Engine, boolean> = {
  bullmq: hasRedis,
  'pg-boss': hasRedis && (await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))),
  amqp: hasRedis && (await requireService('RabbitMQ', () => tcpProbe(amqpUrl()))),
  nats: hasRedis && (await requireService('NATS', () => tcpProbe(natsUrl()))),
}

// The receiving processes serve every engine in turn; they stop after the last one.
afterAll(async () => {
  await closeReceivers()
}, 30_000)

for (const engine of ['bullmq', 'pg-boss', 'amqp', 'nats'] as const) {
  describe.skipIf(!available[engine])(`queue proofs across processes: ${engine}`, () => {
    let rig: EngineRig
    beforeAll(async () => {
      rig = await openRig(engine)
    }, 60_000)
    afterAll(async () => {
      await rig?.close()
    }, 30_000)

    it('3 processes, 1,000 events each delivered 5 times (3 racing, one per process): the consumer processes each once', async () => {
      await proveQueueExactlyOnce(rig)
    }, 180_000)

    it('complete fails after enqueue, the retry comes after the lease: still one job or message', async () => {
      await proveCompleteWindow(rig)
    }, 60_000)

    it('engine unreachable mid-run (refused, then silent): 5xx, nothing lost, then each event once', async () => {
      await proveEngineOutage(rig)
    }, 120_000)
  })
}
