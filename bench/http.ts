// The HTTP benchmark: each framework's adapter against the same framework's bare, floor and
// floor-and-parse routes, and against what an octokit or Stripe SDK user writes, over real HTTP.
//
//   node --import tsx bench/http.ts [--quick] [--frameworks=node:http,fastify]
//
// One server process per framework (bench/http/server.ts, every route on it) pinned to CPU 0,
// the load generator (wrk, else autocannon) in its own process pinned to CPU 1 when `taskset`
// and two CPUs are there. Runs are interleaved (round after round over every framework and
// route) so drift spreads over all rows; each row is the median of its runs. Every run records
// the CPU the rest of the machine used meanwhile (/proc/stat minus the server and the load
// generator) and is flagged disturbed above DISTURBED_CORES. Prints the table and writes
// bench/results/http.json. Not part of `npm test` or CI.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BODY_BYTES, type Delivery, githubDeliveries, stripeDeliveries } from './http/deliveries.js'
import { detectLoadGenerator, type LoadResult, runLoad } from './http/load.js'
import { FRAMEWORKS, type Framework, ROUTES, type Route, type ServerUsage } from './http/matrix.js'

export interface HttpBenchRow {
  framework: string
  route: 'bare' | 'floor' | 'floor-parse' | 'ours' | 'octokit' | 'stripe-sdk'
  reqPerSec: number
  p99Ms: number
  cpuUsPerReq: number
  runs: number
  disturbed: boolean
}

export interface HttpBenchResult {
  rows: HttpBenchRow[]
  loadGenerator: string
  pinned: boolean
  command: string
  durationSec: number
  connections: number
  bodyBytes: number
}

const CONNECTIONS = 10
// Distinct signed bodies per route: the `ours` route needs each request to be a new event.
const POOL = 2048
/** A run is disturbed when the rest of the machine used more than this many cores on average. */
export const DISTURBED_CORES = 0.25
const SERVER = fileURLToPath(new URL('./http/server.ts', import.meta.url))
const RESULTS = fileURLToPath(new URL('./results/http.json', import.meta.url))

interface Server {
  framework: Framework
  child: ChildProcess
  port: number
  usage(): Promise<ServerUsage>
  stop(): Promise<void>
}

function startServer(framework: Framework, pinTo: string | undefined): Promise<Server> {
  const node = [process.execPath, '--import', 'tsx', SERVER, framework]
  const [command, ...args] = pinTo ? ['taskset', '-c', pinTo, ...node] : node
  const child = spawn(command as string, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench: the ${framework} server exited (${code})`))
    child.once('exit', onExit)
    child.once('error', reject)
    child.once('message', (message: { type?: string; port?: number }) => {
      if (message?.type !== 'listening' || typeof message.port !== 'number') {
        reject(new Error(`bench: the ${framework} server said ${JSON.stringify(message)}`))
        return
      }
      child.off('exit', onExit)
      resolve({
        framework,
        child,
        port: message.port,
        usage: () =>
          new Promise((done) => {
            const listener = (reply: ServerUsage) => {
              if (reply?.type !== 'usage') return
              child.off('message', listener)
              done(reply)
            }
            child.on('message', listener)
            child.send({ type: 'usage' })
          }),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.disconnect()
          }),
      })
    })
  })
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const [, ...fields] = line.trim().split(/\s+/)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[]
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)
    return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) }
  } catch {
    return undefined
  }
}

// USER_HZ: the unit of /proc/stat, 100 on every Linux build that matters.
const TICKS_PER_SEC = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

interface Sample {
  reqPerSec: number
  p99Ms: number
  cpuUsPerReq: number
  /** Cores the rest of the machine used during the run, on average. */
  otherCores: number
}

async function measure(
  server: Server,
  route: Route,
  deliveries: readonly Delivery[],
  durationSec: number,
  generator: ReturnType<typeof detectLoadGenerator>,
  pinTo: string | undefined,
  dir: string,
): Promise<Sample> {
  const before = await server.usage()
  const ticksBefore = machineTicks()
  const started = performance.now()
  const load: LoadResult = await runLoad(generator.kind, {
    port: server.port,
    path: `/${route}`,
    deliveries,
    connections: CONNECTIONS,
    durationSec,
    pinTo,
    dir,
  })
  const wallSec = (performance.now() - started) / 1000
  const ticksAfter = machineTicks()
  const after = await server.usage()
  if (load.requests === 0) throw new Error(`bench: no request answered on ${server.framework} /${route}`)
  if (load.non2xx > 0 || load.errors > 0) {
    throw new Error(
      `bench: ${server.framework} /${route} answered ${load.non2xx} non-2xx and had ${load.errors} errors of ${load.requests}`,
    )
  }
  if (route === 'ours' && after.enqueued - before.enqueued < 0.9 * load.requests) {
    throw new Error(
      `bench: ${server.framework} /ours enqueued ${after.enqueued - before.enqueued} of ${load.requests} (duplicates?)`,
    )
  }
  const serverCpuSec = (after.user + after.system - before.user - before.system) / 1e6
  let otherCores = 0
  if (ticksBefore && ticksAfter) {
    const busySec = (ticksAfter.busy - ticksBefore.busy) / TICKS_PER_SEC
    otherCores = Math.max(0, busySec - serverCpuSec - load.cpuSec) / wallSec
  }
  return {
    reqPerSec: load.requests / load.elapsedSec,
    p99Ms: load.p99Ms,
    cpuUsPerReq: (serverCpuSec * 1e6) / load.requests,
    otherCores,
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Two CPUs for the server and the load generator, when `taskset` and two CPUs are there. */
function pinning(): { server: string; load: string } | undefined {
  if (availableParallelism() < 2) return undefined
  const probe = spawnSync('taskset', ['-c', '0', 'true'])
  return probe.status === 0 ? { server: '0', load: '1' } : undefined
}

/**
 * Runs the HTTP comparison. `quick`: one run of 2 s per row instead of the median of 3 × 5 s.
 * `frameworks`: a subset of node:http, fastify, koa, hono, express.
 */
export async function runHttpBench(opts: { quick?: boolean; frameworks?: string[] } = {}): Promise<HttpBenchResult> {
  const quick = opts.quick === true
  const rounds = quick ? 1 : 3
  const durationSec = quick ? 2 : 5
  const warmupSec = quick ? 1 : 2
  const frameworks = (opts.frameworks ?? [...FRAMEWORKS]) as Framework[]
  for (const name of frameworks) {
    if (!FRAMEWORKS.includes(name)) throw new Error(`bench: unknown framework ${name} (${FRAMEWORKS.join(', ')})`)
  }
  const generator = detectLoadGenerator()
  if (generator.kind !== 'wrk') {
    console.error('bench: wrk not found (apt-get install -y wrk); using autocannon, which saturates sooner.')
  }
  const pins = pinning()
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-bench-http-'))
  const run = Math.random().toString(36).slice(2, 8)
  const github = await githubDeliveries(POOL, run)
  const samples = new Map<string, Sample[]>()
  const servers: Server[] = []
  try {
    for (const framework of frameworks) servers.push(await startServer(framework, pins?.server))
    // Warm-up: every route once, so JIT and caches are in the same state for every measured run.
    for (const server of servers) {
      for (const route of ROUTES) {
        const deliveries = route === 'stripe-sdk' ? await stripeDeliveries(POOL, `${run}w`) : github
        await measure(server, route, deliveries, warmupSec, generator, pins?.load, dir)
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        for (const route of ROUTES) {
          // Stripe deliveries are signed now: the SDK refuses a timestamp older than 300 s.
          const deliveries = route === 'stripe-sdk' ? await stripeDeliveries(POOL, `${run}${round}`) : github
          const sample = await measure(server, route, deliveries, durationSec, generator, pins?.load, dir)
          const key = `${server.framework} ${route}`
          samples.set(key, [...(samples.get(key) ?? []), sample])
          process.stderr.write(
            `  ${key}: ${Math.round(sample.reqPerSec)} req/s, ${sample.cpuUsPerReq.toFixed(1)} µs CPU/req, others ${sample.otherCores.toFixed(2)} cores\n`,
          )
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  const rows: HttpBenchRow[] = []
  for (const framework of frameworks) {
    for (const route of ROUTES) {
      const runs = samples.get(`${framework} ${route}`) ?? []
      rows.push({
        framework,
        route,
        reqPerSec: Math.round(median(runs.map((s) => s.reqPerSec))),
        p99Ms: Number(median(runs.map((s) => s.p99Ms)).toFixed(3)),
        cpuUsPerReq: Number(median(runs.map((s) => s.cpuUsPerReq)).toFixed(2)),
        runs: runs.length,
        disturbed: runs.some((s) => s.otherCores > DISTURBED_CORES),
      })
    }
  }
  return {
    rows,
    loadGenerator: generator.version,
    pinned: pins !== undefined,
    command: `node --import tsx bench/http.ts${quick ? ' --quick' : ''}${opts.frameworks ? ` --frameworks=${frameworks.join(',')}` : ''}`,
    durationSec,
    connections: CONNECTIONS,
    bodyBytes: BODY_BYTES,
  }
}

/** The result as a text table: one line per framework, req/s, CPU and p99 per route, and ours vs floor-parse. */
export function httpBenchTable(result: HttpBenchResult): string {
  const frameworks = [...new Set(result.rows.map((row) => row.framework))]
  const header = ['framework', ...ROUTES, 'ours / floor-parse req/s', 'ours CPU above bare']
  const lines = [header.join(' | ')]
  for (const framework of frameworks) {
    const byRoute = new Map(result.rows.filter((row) => row.framework === framework).map((row) => [row.route, row]))
    const cells = ROUTES.map((route) => {
      const row = byRoute.get(route)
      if (!row) return '-'
      return `${row.reqPerSec} req/s, ${row.cpuUsPerReq} µs, p99 ${row.p99Ms} ms${row.disturbed ? ' (disturbed)' : ''}`
    })
    const ours = byRoute.get('ours')
    const floorParse = byRoute.get('floor-parse')
    const bare = byRoute.get('bare')
    const share = ours && floorParse ? `${((100 * ours.reqPerSec) / floorParse.reqPerSec).toFixed(0)} %` : '-'
    const above = ours && bare ? `${(ours.cpuUsPerReq - bare.cpuUsPerReq).toFixed(1)} µs` : '-'
    lines.push([framework, ...cells, share, above].join(' | '))
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const listed = process.argv.find((arg) => arg.startsWith('--frameworks='))
  const frameworks = listed ? listed.slice('--frameworks='.length).split(',') : undefined
  const result = await runHttpBench({ quick, frameworks })
  console.log(
    `HTTP, ${result.bodyBytes} B signed POST, ${result.connections} connections, ${result.loadGenerator}, ${result.pinned ? 'server and load generator pinned to CPUs 0 and 1' : 'not pinned'}, median of runs of ${result.durationSec} s`,
  )
  console.log(httpBenchTable(result))
  mkdirSync(join(RESULTS, '..'), { recursive: true })
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`written: ${RESULTS}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
