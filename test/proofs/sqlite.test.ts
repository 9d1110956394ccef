import { afterAll, beforeAll, describe, it } from 'vitest'
import { type ProofDatabase, sqliteDatabase } from './databases.js'
import { proveCrashRecovery, proveExactlyOnce } from './scenarios.js'

// sqliteStore promises that several processes on one machine may share its file (WAL mode, an
// IMMEDIATE transaction per claim). Nothing to cut here: a file has no link to go down.
describe('proofs across processes: SQLite (better-sqlite3, one shared file)', () => {
  let db: ProofDatabase
  beforeAll(async () => {
    db = await sqliteDatabase()
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
})
