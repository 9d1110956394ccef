// `npm run bench`: measures, then writes BENCHMARKS.md and docs/benchmarks.svg from the figures.
//
//   npm run bench                       # every section (about 10 minutes on an idle 2-core machine)
//   npm run bench -- --quick            # fewer rounds and shorter segments (under 2 minutes)
//   npm run bench -- --only verify      # one section (verify, pipeline, memory, http; comma-separated for several)
//   npm run bench -- --no-write         # print the report instead of writing the files
//   npm run bench -- --render FILE      # no measuring: render the results JSON a run saved
//   npm run bench -- --frameworks a,b   # HTTP section: only these frameworks (passed to bench/http.ts)
//
// It builds the package first and measures dist/ (see bench/tsconfig.runtime.json).
// Every run saves its figures to node_modules/.cache/webhook-inbox-bench/results.json before
// rendering them, so the report can be rendered again without measuring again.
//
// Sections: bench/verify.ts (in-process verification against the floor and the peers),
// bench/pipeline.ts (stores, inboxes and queue hand-offs), bench/memory.ts (fresh processes),
// bench/http.ts (HTTP, when that file is in the tree). REDIS_URL, DATABASE_URL, AMQP_URL and
// NATS_URL as in the tests; a service that does not answer is skipped with a line saying so.
// `node --import tsx bench/crypto.ts` compares the two crypto back ends (node:crypto, Web Crypto) alone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem, type } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { watchOtherProcesses } from './disturbance.js'
import { benchMemory } from './memory.js'
import { benchPipeline } from './pipeline.js'
import { CHART_PATH, type HttpBenchResult, renderReport, targets, withReadmeHeadline } from './report.js'
import type { BenchResults, SectionName } from './results.js'
import { benchVerify } from './verify.js'

const SECTIONS: SectionName[] = ['verify', 'pipeline', 'memory', 'http']
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

interface Args {
  quick: boolean
  only: SectionName[]
  write: boolean
  render?: string
  frameworks?: string[]
}

const RESULTS_FILE = join(root, 'node_modules', '.cache', 'webhook-inbox-bench', 'results.json')

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: [...SECTIONS], write: true }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--quick') args.quick = true
    else if (arg === '--no-write') args.write = false
    else if (arg === '--render') args.render = argv[++i] ?? RESULTS_FILE
    else if (arg === '--frameworks') args.frameworks = (argv[++i] ?? '').split(',').filter(Boolean)
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length)
      const names = (value ?? '').split(',').filter(Boolean)
      const unknown = names.filter((name) => !SECTIONS.includes(name as SectionName))
      if (names.length === 0 || unknown.length > 0) {
        throw new Error(`--only takes ${SECTIONS.join(', ')} (comma-separated); got "${value ?? ''}"`)
      }
      args.only = names as SectionName[]
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        'npm run bench [-- --quick] [--only verify|pipeline|memory|http[,…]] [--no-write] [--render results.json] [--frameworks a,b]',
      )
      process.exit(0)
    } else throw new Error(`unknown option ${arg} (try --help)`)
  }
  return args
}

function machine(): BenchResults['machine'] {
  const list = cpus()
  return {
    cpu: (list[0]?.model ?? 'unknown CPU').trim(),
    cores: list.length,
    node: process.version,
    os: `${type()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  }
}

async function loadHttpBench(): Promise<
  ((options?: { quick?: boolean; frameworks?: string[] }) => Promise<HttpBenchResult>) | undefined
> {
  const file = join(root, 'bench', 'http.ts')
  if (!existsSync(file)) return undefined
  const module = (await import(pathToFileURL(file).href)) as {
    runHttpBench?: (options?: { quick?: boolean; frameworks?: string[] }) => Promise<HttpBenchResult>
  }
  return module.runHttpBench
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const args = parseArgs(argv)
  const results = args.render
    ? (JSON.parse(readFileSync(args.render, 'utf8')) as BenchResults)
    : await measureAll(argv, args)
  write(results, args)
}

/**
 * The figures are of the built package (dist/, what users run), which `npm run bench` builds and
 * bench/tsconfig.runtime.json resolves `webhook-inbox/*` to. Run another way, `webhook-inbox` is
 * src/ compiled by tsx, whose keepNames wrappers cost about a fifth of handle(): refuse that.
 */
function requireBuiltPackage(): void {
  const resolved = import.meta.resolve('webhook-inbox')
  if (!resolved.includes('/dist/')) {
    throw new Error(
      `bench: webhook-inbox resolves to ${resolved}, not to the built dist/. Run \`npm run bench\` (it builds first and sets TSX_TSCONFIG_PATH=bench/tsconfig.runtime.json).`,
    )
  }
}

async function measureAll(argv: string[], args: Args): Promise<BenchResults> {
  requireBuiltPackage()
  const started = performance.now()
  const stopWatch = watchOtherProcesses()
  const quick = args.quick
  const log = (line: string) => console.log(line)
  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    quick,
    commands: [`npm run bench${argv.length > 0 ? ` -- ${argv.filter((a) => a !== '--no-write').join(' ')}` : ''}`],
    seconds: 0,
    disturbance: { othersCores: Number.NaN, ownCores: Number.NaN, seconds: 0, disturbed: false },
    notRun: {},
  }
  log(
    `webhook-inbox bench: ${quick ? 'quick, ' : ''}sections ${args.only.join(', ')}; Node ${process.version}, ${results.machine.cores} cores`,
  )
  for (const section of SECTIONS) {
    if (!args.only.includes(section)) results.notRun[section] = `not selected (\`--only ${args.only.join(',')}\`)`
  }
  const attempt = async (section: SectionName, work: () => Promise<void>) => {
    if (!args.only.includes(section)) return
    try {
      await work()
    } catch (error) {
      results.notRun[section] = `failed: ${(error as Error).message.split('\n')[0]}`
      console.error(`${section} failed:`, error)
      process.exitCode = 1
    }
  }
  await attempt('verify', async () => {
    results.verify = await benchVerify({ quick, log })
  })
  await attempt('pipeline', async () => {
    results.pipeline = await benchPipeline({
      quick,
      log,
      urls: {
        redis: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        postgres: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
        amqp: process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
        nats: process.env.NATS_URL || 'nats://127.0.0.1:4222',
      },
    })
  })
  await attempt('memory', async () => {
    results.memory = await benchMemory({ quick, log })
  })
  await attempt('http', async () => {
    const runHttpBench = await loadHttpBench()
    if (!runHttpBench) {
      results.notRun.http = 'bench/http.ts (the HTTP harness) is not in this tree yet'
      log(`HTTP section not run: ${results.notRun.http}`)
      return
    }
    results.http = await runHttpBench(args.frameworks ? { quick, frameworks: args.frameworks } : { quick })
    results.commands.push(`# HTTP runs: ${results.http.command}`)
  })
  results.seconds = (performance.now() - started) / 1000
  results.disturbance = stopWatch()
  mkdirSync(dirname(RESULTS_FILE), { recursive: true })
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 1)}\n`)
  log(`\nsaved the figures to ${RESULTS_FILE}`)
  return results
}

function write(results: BenchResults, args: Args): void {
  const log = (line: string) => console.log(line)

  const { markdown, svg } = renderReport(results)
  if (args.write) {
    writeFileSync(join(root, 'BENCHMARKS.md'), markdown)
    mkdirSync(dirname(join(root, CHART_PATH)), { recursive: true })
    writeFileSync(join(root, CHART_PATH), svg)
    const readmeFile = join(root, 'README.md')
    const readme = readFileSync(readmeFile, 'utf8')
    const updated = withReadmeHeadline(readme, results)
    if (updated !== readme) writeFileSync(readmeFile, updated)
    log(`\nwrote BENCHMARKS.md and ${CHART_PATH}${updated !== readme ? ', and the headline table in README.md' : ''}`)
  } else log(`\n${markdown}`)
  const list = targets(results)
  log(
    `targets: ${list.filter((t) => t.met === true).length} met, ${list.filter((t) => t.met === false).length} missed, ${list.filter((t) => t.met === null).length} not measured`,
  )
  log(
    `done in ${results.seconds.toFixed(1)} s; other processes used ${results.disturbance.othersCores} cores on average`,
  )
}

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  // A client whose setup timed out may still hold a socket open: the bench is over either way.
  .finally(() => process.exit())
