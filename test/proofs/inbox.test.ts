// The inbox proofs of issue 9, against the real PostgreSQL: receiver and worker processes share
// one postgresInbox; every count is read from the database over the test's own direct connection.
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresInbox, postgresInboxSchema } from '../../src/stores/postgres.js'
import { databaseUrl, requireService, tcpProbe } from '../helpers/services.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import type { InboxProcessConfig, InboxProcessMessage } from './fixtures/inbox-process.js'
import {
  type Answer,
  closeWorkers,
  deliver,
  deliverUntilOk,
  pool,
  runId,
  SECRET,
  startWorker,
  tally,
  type Worker,
} from './harness.js'

const SCRIPT = fileURLToPath(new URL('./fixtures/inbox-process.ts', import.meta.url))
const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
// Issue 9 asks for 2,000 events; that run passes (PROOF_INBOX_EVENTS=2000) but takes about 75 s on the
// shared 2-core CI machine, so CI runs 1,000 (about 35 s) to keep the inbox proofs near 80 s in all.
const EVENTS = Number(process.env.PROOF_INBOX_EVENTS ?? 1_000)

function log(title: string, measured: Record<string, number | string>): void {
  console.info(`[proofs] ${title}: ${JSON.stringify(measured)}`)
}

function replacePort(url: string, port: number): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(port)
  return parsed.toString()
}

describe.skipIf(!hasPostgres)('inbox proofs across processes: PostgreSQL (pg and postgres.js)', () => {
  let db: pg.Pool
  const tables: string[] = []
  beforeAll(() => {
    db = new pg.Pool({ connectionString: databaseUrl(), max: 3 })
    db.on('error', () => {})
  })
  afterAll(async () => {
    for (const table of tables) {
      await db.query(`DROP TABLE IF EXISTS ${table}, ${table}_keys, ${table}_effects`)
    }
    await db?.end()
  })

  async function prepare(): Promise<string> {
    const table = `proofs_inbox_${runId()}`
    tables.push(table)
    // The documented schema, created up front like a migration; the processes run with `createTable: false`.
    await db.query(postgresInboxSchema({ table }))
    await db.query(
      `CREATE TABLE ${table}_effects (seq bigserial PRIMARY KEY, event_id text NOT NULL, worker text NOT NULL)`,
    )
    return table
  }

  async function states(table: string): Promise<Record<string, number>> {
    const { rows } = await db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM ${table} GROUP BY state`,
    )
    return Object.fromEntries(rows.map((row) => [row.state, row.n]))
  }

  async function effects(table: string): Promise<Map<string, number>> {
    const { rows } = await db.query<{ event_id: string }>(`SELECT event_id FROM ${table}_effects`)
    return tally(rows.map((row) => row.event_id))
  }

  /** Waits until no row is pending, processing or failed and `settled` rows are done or dead. */
  async function settle(table: string, settled: number, timeoutMs = 60_000): Promise<Record<string, number>> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const counts = await states(table)
      const open = (counts.pending ?? 0) + (counts.processing ?? 0) + (counts.failed ?? 0)
      if (open === 0 && (counts.done ?? 0) + (counts.dead ?? 0) === settled) return counts
      if (Date.now() > until) throw new Error(`inbox did not settle: ${JSON.stringify(counts)}`)
      await sleep(100)
    }
  }

  function start(configs: Omit<InboxProcessConfig, 'secret'>[]): Promise<Worker[]> {
    return Promise.all(configs.map((config) => startWorker({ ...config, secret: SECRET }, SCRIPT)))
  }

  const byId = (answers: Answer[][]) => answers.map((list) => list.filter((a) => a.status === 200 && !a.duplicate))

  it(`3 receivers + 2 workers, ${EVENTS} events × 3 copies, 20 % random and 1 % permanent failures: each done once, the dead replayed once`, async () => {
    const table = await prepare()
    const url = databaseUrl()
    let processes: Worker[] = []
    try {
      processes = await start([
        { name: 'r0', role: 'receiver', backend: 'pg', url, table },
        { name: 'r1', role: 'receiver', backend: 'postgres.js', url, table },
        { name: 'r2', role: 'receiver', backend: 'pg', url, table },
        ...(['pg', 'postgres.js'] as const).map((backend, i) => ({
          name: `w${i}`,
          role: 'worker' as const,
          backend,
          url,
          table,
          concurrency: 8,
          leaseMs: 10_000,
          maxAttempts: 25,
          failRate: 0.2,
          alwaysFailEvery: 100,
          seed: 9_000 + i,
        })),
      ])
      const urls = processes.slice(0, 3).map((p) => p.url)
      const ids = range(EVENTS).map((i) => `evt_inbox_${i}`)
      const started = performance.now()
      const deliveries = await pool(ids, 48, async (id, i) => {
        // Two copies at once, on different receivers, then a third later: a retry.
        const first = await Promise.all([0, 1].map((k) => deliverUntilOk(() => urls, id, { first: i + k })))
        const third = await deliverUntilOk(() => urls, id, { first: i + 2 })
        return [...first, third].flatMap((d) => d.answers)
      })
      const receivedMs = Math.round(performance.now() - started)
      const accepted = byId(deliveries)
      expect(
        ids.filter((_, i) => accepted[i]?.length !== 1),
        'ids without exactly one accepted (non-duplicate) 200',
      ).toEqual([])
      const answers = deliveries.flat()
      expect(
        [...tally(answers.map((a) => String(a.status))).keys()].filter((s) => s !== '200'),
        'statuses other than 200 in a healthy run',
      ).toEqual([])

      const counts = await settle(table, EVENTS)
      const processedMs = Math.round(performance.now() - started)
      const doomed = ids.filter((_, i) => i % 100 === 0)
      expect(counts.dead, 'dead rows: the always-failing ids').toBe(doomed.length)
      expect(counts.done).toBe(EVENTS - doomed.length)
      const { rows: dead } = await db.query<{ event_id: string; attempts: number; last_error_code: string }>(
        `SELECT event_id, attempts, last_error_code FROM ${table} WHERE state = 'dead' ORDER BY event_id`,
      )
      expect(dead.map((row) => row.event_id).sort()).toEqual([...doomed].sort())
      expect(dead.every((row) => row.attempts === 25 && row.last_error_code === 'always_fails')).toBe(true)
      const counted = await effects(table)
      expect(
        ids.filter((id) => counted.get(id) !== (doomed.includes(id) ? undefined : 1)),
        'ids whose committed effects are not exactly one (zero for the dead)',
      ).toEqual([])
      const { rows: attemptRows } = await db.query<{ total: number; retried: number }>(
        `SELECT sum(attempts)::int AS total, count(*) FILTER (WHERE attempts > 1)::int AS retried FROM ${table}`,
      )
      expect(attemptRows[0]?.retried ?? 0).toBeGreaterThan(EVENTS / 10)

      // The failure is switched off; the dead are replayed and each done exactly once.
      for (const worker of processes.slice(3)) worker.child.send({ type: 'heal' })
      const inbox = postgresInbox({ query: (text, params) => db.query(text, params), table, createTable: false })
      expect(await inbox.replay({ state: 'dead' })).toBe(doomed.length)
      const after = await settle(table, EVENTS)
      expect([after.done, after.dead ?? 0]).toEqual([EVENTS, 0])
      const final = await effects(table)
      expect(
        ids.filter((id) => final.get(id) !== 1),
        'ids not done exactly once after the replay',
      ).toEqual([])
      for (const id of doomed.slice(0, 3)) {
        const record = await inbox.get(`stripe:${id}`)
        expect([record?.state, record?.replays, record?.attempts]).toEqual(['done', 1, 1])
      }
      const workersUsed = (await db.query(`SELECT DISTINCT worker FROM ${table}_effects`)).rows.length
      log('PostgreSQL inbox exactly once across processes', {
        receivers: 3,
        workers: 2,
        events: EVENTS,
        deliveries: EVENTS * 3,
        httpAttempts: answers.length,
        duplicate200: answers.filter((a) => a.status === 200 && a.duplicate).length,
        processAttempts: attemptRows[0]?.total ?? 0,
        retriedEvents: attemptRows[0]?.retried ?? 0,
        dead: doomed.length,
        replayedDone: doomed.length,
        receivedMs,
        processedMs,
        totalMs: Math.round(performance.now() - started),
        workersUsed,
      })
    } finally {
      await closeWorkers(processes)
    }
  }, 180_000)

  it('SIGKILL of a worker mid-process and of receivers mid-request: nothing lost, nothing done twice', async () => {
    const table = await prepare()
    const url = databaseUrl()
    const leaseMs = 2_000
    const processes: Worker[] = []
    try {
      const [victim, receiver, receiverBefore, receiverAfter] = await start([
        {
          name: 'victim',
          role: 'worker',
          backend: 'pg',
          url,
          table,
          concurrency: 10,
          leaseMs,
          hangPrefix: 'evt_kill_',
        },
        { name: 'r-ok', role: 'receiver', backend: 'postgres.js', url, table },
        {
          name: 'r-before',
          role: 'receiver',
          backend: 'pg',
          url,
          table,
          hangPrefix: 'evt_rk_',
          hangWhen: 'before-commit',
        },
        {
          name: 'r-after',
          role: 'receiver',
          backend: 'postgres.js',
          url,
          table,
          hangPrefix: 'evt_rk_',
          hangWhen: 'after-commit',
        },
      ])
      processes.push(victim!, receiver!, receiverBefore!, receiverAfter!)
      const killIds = range(10).map((i) => `evt_kill_${i}`)
      const isMessage =
        (type: string, id: string) =>
        (m: unknown): m is InboxProcessMessage =>
          (m as InboxProcessMessage).type === type && (m as { id?: string }).id === id
      for (const id of killIds) expect((await deliver(receiver!.url, id)).status).toBe(200)
      await Promise.all(killIds.map((id) => victim!.waitFor(isMessage('process-started', id))))
      // Every effect is written inside the victim's open transactions; none has committed.
      await victim!.kill()
      const killedAt = performance.now()

      // Receivers killed mid-request: one before its row was written, one after it committed.
      const before = range(5).map((i) => `evt_rk_b_${i}`)
      const after = range(5).map((i) => `evt_rk_a_${i}`)
      const doomedBefore = before.map((id) => deliver(receiverBefore!.url, id))
      const doomedAfter = after.map((id) => deliver(receiverAfter!.url, id))
      await Promise.all([
        ...before.map((id) => receiverBefore!.waitFor(isMessage('accept-hanging', id))),
        ...after.map((id) => receiverAfter!.waitFor(isMessage('accept-hanging', id))),
      ])
      await Promise.all([receiverBefore!.kill(), receiverAfter!.kill()])
      expect((await Promise.all([...doomedBefore, ...doomedAfter])).map((a) => a.status)).toEqual(
        [...before, ...after].map(() => 0),
      )
      // The provider retries elsewhere: rows never written are accepted now, committed ones are duplicates.
      const retried = await Promise.all([...before, ...after].map((id) => deliver(receiver!.url, id)))
      expect(retried.map((a) => [a.status, a.duplicate])).toEqual([
        ...before.map(() => [200, false]),
        ...after.map(() => [200, true]),
      ])

      const [survivor] = await start([
        { name: 'survivor', role: 'worker', backend: 'postgres.js', url, table, concurrency: 4, leaseMs },
      ])
      processes.push(survivor!)
      const all = [...killIds, ...before, ...after]
      await settle(table, all.length, 30_000)
      const recoveredMs = Math.round(performance.now() - killedAt)
      const counted = await effects(table)
      expect(
        all.filter((id) => counted.get(id) !== 1),
        'ids not done exactly once',
      ).toEqual([])
      const { rows } = await db.query<{ worker: string; n: number }>(
        `SELECT worker, count(*)::int AS n FROM ${table}_effects GROUP BY worker`,
      )
      expect(rows).toEqual([{ worker: 'survivor', n: all.length }])
      const { rows: killed } = await db.query<{ attempts: number }>(
        `SELECT attempts FROM ${table} WHERE event_id LIKE 'evt_kill_%'`,
      )
      expect(killed.map((row) => row.attempts)).toEqual(killIds.map(() => 2))
      expect(recoveredMs).toBeGreaterThanOrEqual(leaseMs - 500)
      log('PostgreSQL inbox SIGKILL of a worker and of receivers', {
        workerKilledWith: killIds.length,
        receiverKilledBeforeCommit: before.length,
        receiverKilledAfterCommit: after.length,
        leaseMs,
        recoveredMs,
      })
    } finally {
      await closeWorkers(processes)
    }
  }, 60_000)

  it('PostgreSQL cut mid-run (refused, then silent): receivers answer 503, workers pause and resume, each event done once', async () => {
    const table = await prepare()
    const real = new URL(databaseUrl())
    const proxy = await startTcpProxy({ target: { host: real.hostname, port: Number(real.port || 5432) } })
    const url = replacePort(databaseUrl(), proxy.port)
    let processes: Worker[] = []
    try {
      processes = await start([
        { name: 'r0', role: 'receiver', backend: 'pg', url, table, storeTimeoutMs: 400, clientTimeoutMs: 1_000 },
        {
          name: 'r1',
          role: 'receiver',
          backend: 'postgres.js',
          url,
          table,
          storeTimeoutMs: 400,
          clientTimeoutMs: 1_000,
        },
        {
          name: 'w0',
          role: 'worker',
          backend: 'pg',
          url,
          table,
          concurrency: 4,
          leaseMs: 3_000,
          clientTimeoutMs: 1_000,
        },
        {
          name: 'w1',
          role: 'worker',
          backend: 'postgres.js',
          url,
          table,
          concurrency: 4,
          leaseMs: 3_000,
          clientTimeoutMs: 1_000,
        },
      ])
      const urls = processes.slice(0, 2).map((p) => p.url)
      const events = 300
      const ids = range(events).map((i) => `evt_cut_${i}`)
      let finished = 0
      const started = performance.now()
      const flow = pool(ids, 12, async (id, i) => {
        const delivery = await deliverUntilOk(() => urls, id, { first: i })
        finished++
        return delivery.answers
      })
      const probes: string[] = []
      const probeAnswers: Answer[] = []
      const paused: string[] = []
      for (const [round, mode] of (['reset', 'blackhole'] as const).entries()) {
        while (finished < ((round + 1) * events) / 3) await sleep(20)
        proxy.cut(mode)
        const cutAt = performance.now()
        const fresh = range(4).map((k) => `evt_cut_probe_${mode}_${k}`)
        probes.push(...fresh)
        probeAnswers.push(...(await Promise.all(fresh.map((id, k) => deliver(urls[k % 2]!, id)))))
        // In-flight statements have landed or died by now; the workers must then stand still.
        await sleep(Math.max(0, 400 - (performance.now() - cutAt)))
        const doneAtCut = (await states(table)).done ?? 0
        await sleep(800)
        const doneLater = (await states(table)).done ?? 0
        paused.push(`${doneAtCut}->${doneLater}`)
        expect(doneLater, `rows marked done while PostgreSQL was unreachable (${mode})`).toBe(doneAtCut)
        proxy.restore()
      }
      expect(
        probeAnswers.map((a) => a.status),
        'deliveries while PostgreSQL was unreachable',
      ).toEqual(probes.map(() => 503))
      const retriedProbes = await Promise.all(probes.map((id, k) => deliverUntilOk(() => urls, id, { first: k })))
      const answers = [...(await flow), ...retriedProbes.map((d) => d.answers)]
      const all = [...ids, ...probes]
      // Every accepted 200 has its row: nothing answered 200 without a commit.
      const { rows } = await db.query<{ event_id: string }>(`SELECT event_id FROM ${table}`)
      const stored = new Set(rows.map((row) => row.event_id))
      expect(
        all.filter((id) => !stored.has(id)),
        'ids answered 200 without a stored row',
      ).toEqual([])
      await settle(table, all.length, 60_000)
      const counted = await effects(table)
      expect(
        all.filter((id) => counted.get(id) !== 1),
        'ids not done exactly once',
      ).toEqual([])
      const statuses = tally(answers.flat().map((a) => String(a.status)))
      expect(
        [...statuses.keys()].filter((s) => s !== '200' && s !== '503'),
        'unexpected statuses',
      ).toEqual([])
      const claimErrors = processes
        .slice(2)
        .flatMap((p) => p.messages)
        .filter((m) => m.type === 'inbox-error').length
      expect(claimErrors, 'worker errors reported during the cuts').toBeGreaterThan(0)
      log('PostgreSQL inbox unreachable mid-run', {
        events: all.length,
        cuts: 'reset+blackhole',
        answered503: statuses.get('503') ?? 0,
        doneDuringCuts: paused.join(' '),
        workerErrorsReported: claimErrors,
        elapsedMs: Math.round(performance.now() - started),
      })
    } finally {
      await closeWorkers(processes)
      await proxy.close()
    }
  }, 120_000)
})
