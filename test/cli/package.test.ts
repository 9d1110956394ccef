// `npx webhook-inbox simulate …` from the packed tarball, installed into an empty folder as a user
// would (from npm's cache when it holds the two runtime dependencies, as it does after `npm ci`).
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExampleServer } from '../../examples/cli/server.js'
import { dist, ensureBuilt, root } from '../edge/dist.js'

const exec = promisify(execFile)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const work = mkdtempSync(join(tmpdir(), 'webhook-inbox-pack-'))
const app = join(work, 'app')

beforeAll(async () => {
  ensureBuilt()
  if (!existsSync(join(dist, 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build`')
  const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', work], { cwd: root })
  const filename = (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-smoke', private: true, type: 'module' }))
  await exec(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)], {
    cwd: app,
  })
}, 120_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the packed package', () => {
  it('npx webhook-inbox simulate delivers every event exactly once to the example endpoint', async () => {
    const server = await startExampleServer({ secret: 'whsec_pack', failFirst: 1 })
    try {
      const { stdout } = await exec(
        npx,
        [
          '--no-install',
          'webhook-inbox',
          'simulate',
          '--provider=stripe',
          '--secret=whsec_pack',
          `--url=${server.url}/webhooks/stripe`,
          '--events=30',
          '--duplicates=0.3',
          '--reorder',
          '--retry-schedule=fast',
          '--json',
        ],
        { cwd: app },
      )
      const report = JSON.parse(stdout)
      expect(report).toMatchObject({ events: 30, accepted: 30, stillFailing: 0, acceptedAgain: 0 })
      expect(server.enqueued.size).toBe(30)
      expect([...server.enqueued.values()].every((n) => n === 1)).toBe(true)
      const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
      expect((await exec(npx, ['--no-install', 'webhook-inbox', '--version'], { cwd: app })).stdout.trim()).toBe(
        version,
      )
    } finally {
      await server.close()
    }
  })

  it('names the optional peer to install when an inbox command needs one that is missing', async () => {
    writeFileSync(join(app, 'webhooks.db'), '')
    for (const [database, message] of [
      ['postgres://127.0.0.1:9/app', 'the inbox commands need the `pg` package for PostgreSQL: npm install pg'],
      ['webhooks.db', 'the inbox commands need the `better-sqlite3` package for SQLite: npm install better-sqlite3'],
    ] as const) {
      const failure = await exec(npx, ['--no-install', 'webhook-inbox', 'inbox', 'stats', '--database', database], {
        cwd: app,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      )
      expect(failure?.code).toBe(1)
      expect(failure?.stderr).toBe(`webhook-inbox inbox stats: ${message}\n`)
    }
  })
})
