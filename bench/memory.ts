// Memory: RSS and V8 heap of a fresh Node process after importing each of our subpaths and each
// peer SDK, and after many verifications, each above an empty process's. Every figure comes from
// its own child process (bench/memory-probe.mjs, plain JavaScript, --expose-gc, two collections
// before reading). Our subpaths are built afresh from src with tsup (ESM, no types) into
// node_modules/.cache, so the figures are those of the code in the tree, not of a stale dist/.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'tsup'
import { entries } from '../tsup.config.js'
import { watchOtherProcesses } from './disturbance.js'
import type { MemoryRow, MemorySection } from './results.js'

export interface MemoryOptions {
  quick: boolean
  log?: (line: string) => void
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const probe = join(root, 'bench', 'memory-probe.mjs')
const outDir = join(root, 'node_modules', '.cache', 'webhook-inbox-bench', 'dist')

export const PEERS = [
  'stripe',
  '@octokit/webhooks-methods',
  'standardwebhooks',
  'svix',
  'twilio',
  'discord-interactions',
  '@sendgrid/eventwebhook',
  '@slack/bolt',
] as const

const MiB = 1024 * 1024
const round1 = (x: number) => Math.round(x * 10) / 10

interface Reading {
  rss: number
  heapUsed: number
  disturbed: boolean
  error?: string
}

/** The median reading of `repeats` fresh processes (by RSS). */
function measure(task: object, repeats: number): Reading {
  const readings: Reading[] = []
  for (let i = 0; i < repeats; i++) {
    const stop = watchOtherProcesses()
    const child = spawnSync(process.execPath, ['--expose-gc', probe, JSON.stringify(task)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    })
    const disturbed = stop().disturbed
    const line = child.stdout?.trim().split('\n').pop() ?? ''
    if (child.status !== 0 || !line.startsWith('{')) {
      const why =
        (child.stderr ?? '')
          .trim()
          .split('\n')
          .find((l) => /Error|error/.test(l)) ?? `exit ${child.status}`
      return { rss: Number.NaN, heapUsed: Number.NaN, disturbed, error: why.slice(0, 160) }
    }
    const parsed = JSON.parse(line) as { rss: number; heapUsed: number }
    readings.push({ ...parsed, disturbed })
  }
  readings.sort((a, b) => a.rss - b.rss)
  return readings[readings.length >> 1] as Reading
}

export async function benchMemory(options: MemoryOptions): Promise<MemorySection> {
  const log = options.log ?? console.log
  const repeats = options.quick ? 1 : 3
  const count = options.quick ? 20_000 : 100_000
  const stopAll = watchOtherProcesses()
  rmSync(outDir, { recursive: true, force: true })
  await build({
    entry: entries,
    format: ['esm'],
    dts: false,
    splitting: true,
    sourcemap: false,
    treeshake: true,
    target: 'es2022',
    platform: 'neutral',
    outDir,
    silent: true,
    config: false,
  })
  const file = (entry: string) => pathToFileURL(join(outDir, `${entry}.js`)).href
  const baseline = measure({}, repeats)
  const rows: MemoryRow[] = []
  const add = (kind: MemoryRow['kind'], subject: string, reading: Reading) => {
    rows.push({
      kind,
      subject,
      rssMiB: round1(reading.rss / MiB),
      heapUsedMiB: round1(reading.heapUsed / MiB),
      addedRssMiB: round1((reading.rss - baseline.rss) / MiB),
      addedHeapMiB: round1((reading.heapUsed - baseline.heapUsed) / MiB),
      disturbed: reading.disturbed,
      ...(reading.error ? { error: reading.error } : {}),
    })
  }
  add('baseline', 'empty process', baseline)
  for (const entry of Object.keys(entries)) {
    const specifier = entry === 'index' ? 'webhook-inbox' : `webhook-inbox/${entry}`
    add('ours', specifier, measure({ import: file(entry) }, repeats))
  }
  for (const peer of PEERS) add('peer', peer, measure({ import: peer }, repeats))
  log(`memory: ${Object.keys(entries).length} subpaths and ${PEERS.length} peers imported`)
  const n = count.toLocaleString('en-US')
  for (const [kind, verify, subject] of [
    ['ours', 'github', `github() verify + parse × ${n}`],
    ['peer', 'octokit', `octokit toString + verify + JSON.parse × ${n}`],
    ['ours', 'stripe', `stripe() verify + parse × ${n}`],
    ['peer', 'stripe-sdk', `stripe constructEvent × ${n}`],
  ] as const) {
    add(kind, subject, measure({ verify, count, ours: file('providers') }, repeats))
  }
  log(`memory: after ${n} verifications`)
  return {
    rows,
    build: `tsup (ESM, splitting, no types) from src into node_modules/.cache/webhook-inbox-bench; each figure the median of ${repeats} fresh process${repeats > 1 ? 'es' : ''}`,
    disturbance: stopAll(),
  }
}
