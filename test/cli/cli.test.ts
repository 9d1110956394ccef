// The built `webhook-inbox` executable, spawned as a real process against the example endpoint
// (examples/cli/server.ts) and against real PostgreSQL and SQLite inboxes.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExampleServer } from '../../examples/cli/server.js'
import { createInboxWorker, createWebhookHandler, type Inbox } from '../../src/index.js'
import { github, stripe } from '../../src/providers/index.js'
import { postgresInbox } from '../../src/stores/postgres.js'
import { sqliteInbox } from '../../src/stores/sqlite.js'
import { sampleEvent, signStripeRequest } from '../../src/testing/index.js'
import { dist, ensureBuilt } from '../edge/dist.js'
import { databaseUrl, requireService, tcpProbe } from '../helpers/services.js'

const cli = join(dist, 'cli.js')
const SECRET = 'whsec_cli_test'

interface Run {
  code: number
  stdout: string
  stderr: string
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

/** The value of a row of the summary table, e.g. `row(out, 'still failing')`. */
function row(output: string, label: string): string | undefined {
  return new RegExp(`^${label}\\s{2,}(.+)$`, 'm').exec(output)?.[1]
}

beforeAll(() => {
  ensureBuilt()
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build`')
}, 120_000)

describe('webhook-inbox simulate against the example endpoint', () => {
  it('with duplicates, reordering, cut connections and a server whose first attempts fail: every event enqueued once, and the summary says so', async () => {
    const server = await startExampleServer({ secret: SECRET, failFirst: 2 })
    try {
      const events = 120
      const result = await run([
        'simulate',
        '--provider',
        'stripe',
        '--secret',
        SECRET,
        '--url',
        `${server.url}/webhooks/stripe`,
        '--events',
        String(events),
        '--concurrency',
        '12',
        '--duplicates',
        '0.4',
        '--reorder',
        '--fail-connection',
        '0.05',
        '--retry-schedule',
        'fast',
        '--seed',
        '20261201',
      ])
      expect(result.code, result.stderr).toBe(0)
      expect(row(result.stdout, 'events')).toBe(String(events))
      expect(row(result.stdout, 'accepted')).toBe(`${events} of ${events}`)
      expect(row(result.stdout, 'still failing')).toBe('0')
      expect(row(result.stdout, 'accepted again')).toBe('0')
      const copies = Number(/\((\d+) duplicate copies\)/.exec(row(result.stdout, 'deliveries') ?? '')?.[1])
      expect(copies).toBeGreaterThan(0)
      // Every event failed twice before it was enqueued: at least two retries each.
      expect(Number(row(result.stdout, 'retried'))).toBeGreaterThanOrEqual(2 * events)
      expect(Number(row(result.stdout, 'duplicates answered'))).toBeGreaterThan(0)
      expect(result.stdout).toMatch(/^5\d\d\s+\d+/m)
      // The server agrees: each event enqueued exactly once.
      expect(server.enqueued.size).toBe(events)
      expect([...server.enqueued.values()].every((n) => n === 1)).toBe(true)
      // Plain progress lines when stderr is not a terminal.
      expect(result.stderr).toMatch(/^simulate: 120\/120 events settled/m)
    } finally {
      await server.close()
    }
  }, 120_000)

  it('exits 1 and names the events never acknowledged when the provider gives up (GitHub does not retry)', async () => {
    const server = await startExampleServer({ secret: SECRET, failFirst: 1 })
    try {
      const result = await run([
        'simulate',
        '--provider=github',
        `--secret=${SECRET}`,
        `--url=${server.url}/webhooks/github`,
        '--events=5',
        '--json',
      ])
      expect(result.code).toBe(1)
      const report = JSON.parse(result.stdout)
      expect(report).toMatchObject({ events: 5, attempts: 5, accepted: 0, stillFailing: 5 })
      expect(Object.entries(report.statuses).every(([status]) => status.startsWith('5'))).toBe(true)
      expect(server.enqueued.size).toBe(0)
    } finally {
      await server.close()
    }
  })
})

describe('webhook-inbox simulate on the real schedule', () => {
  it('Ctrl-C stops a run that would wait for hours and still prints the summary, exit 1', async () => {
    const server = await startExampleServer({ secret: SECRET, failFirst: 1 })
    try {
      const child = spawn(process.execPath, [
        cli,
        'simulate',
        '--provider=stripe',
        `--secret=${SECRET}`,
        `--url=${server.url}/webhooks/stripe`,
        '--events=3',
      ])
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => {
        stdout += chunk
      })
      child.stderr.on('data', (chunk) => {
        stderr += chunk
      })
      // Every event has had its failed first attempt; the next one is a minute away.
      const poll = setInterval(() => {
        if (server.failures() === 3) {
          clearInterval(poll)
          child.kill('SIGINT')
        }
      }, 20)
      const code = await new Promise((resolve) => child.on('exit', resolve))
      expect(code).toBe(1)
      expect(stderr).toContain('simulate: interrupted')
      expect(row(stdout, 'still failing')).toBe('3')
      expect(row(stdout, 'attempts')).toBe('3')
      expect(server.enqueued.size).toBe(0)
    } finally {
      await server.close()
    }
  }, 120_000)
})

describe('webhook-inbox send and sign', () => {
  it('send: 200 with the right secret; the 401 and exit 1 with a wrong one', async () => {
    const server = await startExampleServer({ secret: SECRET })
    try {
      const url = `${server.url}/webhooks/stripe`
      const good = await run([
        'send',
        '--provider',
        'stripe',
        '--secret',
        SECRET,
        '--url',
        url,
        '--event',
        'invoice.paid',
      ])
      expect(good.code, good.stderr).toBe(0)
      expect(good.stdout).toMatch(/^200 in [\d.]+ m?s$/m)
      expect(good.stdout).toContain('"ok":true')
      const bad = await run(['send', '--provider', 'stripe', '--secret', 'whsec_wrong', '--url', url])
      expect(bad.code).toBe(1)
      expect(bad.stdout).toMatch(/^401 in /m)
      expect(bad.stdout).toContain('invalid_signature')
      expect(bad.stdout).not.toContain('whsec_wrong')
      expect(server.enqueued.size).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('sign --json gives headers the preset accepts; sign prints a curl line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-cli-'))
    try {
      const file = join(dir, 'push.json')
      writeFileSync(file, JSON.stringify(sampleEvent('github', 'push').body))
      const signed = await run([
        'sign',
        '--provider',
        'github',
        '--secret',
        SECRET,
        '--payload',
        file,
        '--event',
        'push',
        '--json',
      ])
      expect(signed.code, signed.stderr).toBe(0)
      const request = JSON.parse(signed.stdout)
      const verified = await github({ secret: SECRET }).verify(request, { now: Date.now() })
      expect(verified.ok).toBe(true)
      const wrong = await github({ secret: 'other' }).verify(request, { now: Date.now() })
      expect(wrong.ok).toBe(false)
      const text = await run(['sign', '--provider', 'github', '--secret', SECRET, '--payload', file])
      expect(text.stdout).toMatch(/^x-hub-signature-256: sha256=[0-9a-f]{64}$/m)
      expect(text.stdout).toContain(`--data-binary @'${file}'`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('one-line errors: unknown provider (listing the known ones), bad URL, missing secret, unreachable endpoint', async () => {
    const unknown = await run(['send', '--provider', 'strpe', '--secret', 's', '--url', 'http://127.0.0.1:9/x'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1)
    expect(unknown.stderr).toContain(
      'unknown provider "strpe" (did you mean stripe?); known providers: discord, github, linear',
    )
    const badUrl = await run(['simulate', '--provider', 'stripe', '--secret', 's', '--url', 'localhost:3000/hooks'])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toMatch(/^webhook-inbox simulate: bad URL "localhost:3000\/hooks"/)
    const noSecret = await run(['send', '--provider', 'paddle', '--url', 'http://127.0.0.1:9/x'], {
      WEBHOOK_INBOX_SECRET: '',
    })
    expect(noSecret.code).toBe(2)
    expect(noSecret.stderr).toContain('missing secret: Paddle signs with the notification destination secret')
    const down = await run(['simulate', '--provider', 'stripe', '--secret', 's', '--url', 'http://127.0.0.1:9/x'])
    expect(down.code).toBe(1)
    expect(down.stderr.trim().split('\n').at(-1)).toBe(
      'webhook-inbox simulate: could not connect to http://127.0.0.1:9/x (ECONNREFUSED): is the server running?',
    )
    const option = await run(['simulate', '--provider', 'stripe', '--duplicate', '0.3'])
    expect(option.stderr).toContain('unknown option --duplicate (did you mean --duplicates?)')
  }, 120_000)

  it('--help on every command shows its options and examples', async () => {
    for (const command of [
      ['send'],
      ['sign'],
      ['simulate'],
      ['inbox', 'stats'],
      ['inbox', 'list'],
      ['inbox', 'show'],
      ['inbox', 'replay'],
      ['inbox', 'prune'],
    ]) {
      const help = await run([...command, '--help'])
      expect(help.code, command.join(' ')).toBe(0)
      expect(help.stdout).toContain(`Usage: webhook-inbox ${command.join(' ')}`)
      expect(help.stdout).toMatch(/Examples:\n {2}webhook-inbox /)
    }
  }, 120_000)
})

/** Accepts `count` Stripe deliveries into `inbox` through the handler, then fails them all to `dead`. */
async function deadEvents(inbox: Inbox, count: number): Promise<string[]> {
  const handler = createWebhookHandler({ provider: stripe({ secret: SECRET }), inbox })
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const event = sampleEvent('stripe', 'invoice.paid', { id: `evt_cli_${globalThis.crypto.randomUUID().slice(0, 8)}` })
    const response = await handler.handle(await signStripeRequest({ secret: SECRET, body: event.body }))
    expect(response.status).toBe(200)
    ids.push(event.id)
  }
  await createInboxWorker({
    inbox,
    process: () => {
      throw new Error('downstream API unavailable')
    },
    retry: { maxAttempts: 1 },
  }).drain()
  return ids
}

async function replayBringsDeadToDone(inbox: Inbox, database: string[], ids: string[]) {
  const sick = await run(['inbox', 'stats', ...database])
  expect(sick.code, sick.stderr).toBe(1)
  expect(row(sick.stdout, 'dead')).toBe(String(ids.length))
  expect(sick.stdout).toContain(`unhealthy: ${ids.length} dead events`)

  const listed = await run(['inbox', 'list', ...database, '--state', 'dead', '--json'])
  const records = JSON.parse(listed.stdout).records as {
    key: string
    lastError: { message: string }
    payload?: unknown
  }[]
  expect(records.map((r) => r.key).sort()).toEqual(ids.map((id) => `stripe:${id}`).sort())
  expect(records[0]?.lastError.message).toContain('downstream API unavailable')
  expect(records[0]).not.toHaveProperty('payload')

  const shown = await run(['inbox', 'show', `stripe:${ids[0]}`, ...database])
  expect(row(shown.stdout, 'state')).toBe('dead')
  expect(shown.stdout).not.toContain('invoice.paid",') // no payload without --payload
  const signature = (await inbox.get(`stripe:${ids[0]}`))?.headers['stripe-signature'] as string
  expect(shown.stdout).toMatch(/stripe-signature\s+\(redacted\)/)
  expect(shown.stdout).not.toContain(signature.slice(-20))
  const withPayload = await run(['inbox', 'show', `stripe:${ids[0]}`, ...database, '--payload', '--json'])
  expect(JSON.parse(withPayload.stdout).payload.id).toBe(ids[0])

  const dry = await run(['inbox', 'replay', ...database, '--all', '--dry-run'])
  expect(dry.stdout).toContain(`dry run: would replay ${ids.length} events`)
  expect((await inbox.stats()).dead).toBe(ids.length)

  const one = await run(['inbox', 'replay', `stripe:${ids[0]}`, ...database])
  expect(one.stdout).toContain('replayed 1 event')
  const rest = await run(['inbox', 'replay', ...database, '--provider', 'stripe'])
  expect(rest.stdout).toContain(`replayed ${ids.length - 1} events`)

  const processed: string[] = []
  await createInboxWorker({ inbox, process: (event) => void processed.push(event.id) }).drain()
  expect(processed.sort()).toEqual([...ids].sort())
  const healthy = await run(['inbox', 'stats', ...database, '--max-lag', '1h'])
  expect(healthy.code, healthy.stdout).toBe(0)
  expect(row(healthy.stdout, 'done')).toBe(String(ids.length))
  expect(row(healthy.stdout, 'dead')).toBe('0')

  const pruned = await run(['inbox', 'prune', ...database, '--older-than', '0ms'])
  expect(pruned.stdout).toBe(`pruned ${ids.length} events\n`)
}

describe('webhook-inbox inbox on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-cli-sqlite-'))
  const file = join(dir, 'webhooks.db')
  const database = new Database(file)
  afterAll(() => {
    database.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stats, list, show, replay (dry run, by key, by filter) bring dead events to done; prune', async () => {
    const inbox = sqliteInbox({ database })
    const ids = await deadEvents(inbox, 4)
    await replayBringsDeadToDone(inbox, ['--database', file], ids)
  }, 120_000)

  it('a missing file is one line, not a new empty database', async () => {
    const result = await run(['inbox', 'stats', '--database', join(dir, 'nope.db')])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`webhook-inbox inbox stats: no SQLite database at ${join(dir, 'nope.db')}\n`)
    expect(existsSync(join(dir, 'nope.db'))).toBe(false)
  })
})

const hasPostgres = await requireService('PostgreSQL', () => tcpProbe(databaseUrl()))

describe.skipIf(!hasPostgres)('webhook-inbox inbox on PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 })
  const table = `cli_inbox_${globalThis.crypto.randomUUID().slice(0, 8)}`
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}_keys"; DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })

  it('stats, list, show, replay (dry run, by key, by filter) bring dead events to done; prune', async () => {
    const inbox = postgresInbox({ query: (text, params) => pool.query(text, params), table })
    const ids = await deadEvents(inbox, 4)
    await replayBringsDeadToDone(inbox, ['--database', databaseUrl(), '--table', table], ids)
  }, 120_000)

  it('an unreachable database is one line, without the password', async () => {
    const result = await run(['inbox', 'stats', '--database', 'postgres://app:s3cret@127.0.0.1:9/app'])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'webhook-inbox inbox stats: cannot reach the database at postgres://app:***@127.0.0.1:9/app (ECONNREFUSED)\n',
    )
  })
})
