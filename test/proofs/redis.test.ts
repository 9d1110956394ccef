import { afterAll, beforeAll, describe, it } from 'vitest'
import { redisUrl, requireService, tcpProbe } from '../helpers/services.js'
import { type ProofDatabase, redisDatabase } from './databases.js'
import { proveCrashRecovery, proveExactlyOnce, proveOutage } from './scenarios.js'

const hasRedis = await requireService('Redis', () => tcpProbe(redisUrl()))

describe.skipIf(!hasRedis)('proofs across processes: Redis (node-redis and ioredis workers)', () => {
  let db: ProofDatabase
  beforeAll(async () => {
    db = await redisDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  it('4 processes, 1,000 ids each delivered 5 times at once: every id enqueued exactly once', async () => {
    await proveExactlyOnce(db)
  }, 120_000)

  it('a process SIGKILLed inside enqueue: after the lease the retry is enqueued exactly once', async () => {
    await proveCrashRecovery(db)
  }, 60_000)

  it('Redis unreachable mid-run (refused, then silent): 503, nothing done unenqueued, then each id once', async () => {
    await proveOutage(db)
  }, 120_000)
})
