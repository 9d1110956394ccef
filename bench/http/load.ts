// The load generators of the HTTP benchmark, each in a process of its own: `wrk` (Debian's
// package) when it is installed, else autocannon (a devDependency) in a Node child. Both cycle
// through a pool of distinct signed deliveries and report requests, non-2xx answers, p99 and the
// CPU time the generator itself used (to tell other processes' load apart).
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Delivery } from './deliveries.js'

export type LoadGeneratorKind = 'wrk' | 'autocannon'

/** One run of the load generator against one route. */
export interface LoadRun {
  port: number
  path: string
  deliveries: readonly Delivery[]
  connections: number
  durationSec: number
  /** `taskset -c <cpu>` prefix, or none. */
  pinTo: string | undefined
  /** A scratch directory for the run's files. */
  dir: string
}

export interface LoadResult {
  requests: number
  /** Answers that were not 2xx/3xx. */
  non2xx: number
  /** Connect, read, write and timeout errors. */
  errors: number
  p99Ms: number
  /** The run's own length as measured by the generator, s. */
  elapsedSec: number
  /** CPU time the generator used (user + system), s. */
  cpuSec: number
}

/** `wrk` when it runs here, with its version line; else autocannon's version. */
export function detectLoadGenerator(): { kind: LoadGeneratorKind; version: string } {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  const text = `${probe.stdout ?? ''}${probe.stderr ?? ''}`
  const match = /^wrk (\S+)/m.exec(text)
  if (!probe.error && match) return { kind: 'wrk', version: `wrk ${match[1]}` }
  const require = createRequire(import.meta.url)
  const { version } = require('autocannon/package.json') as { version: string }
  return { kind: 'autocannon', version: `autocannon ${version}` }
}

function luaString(text: string): string {
  if (text.includes(']==]')) throw new Error('bench: a delivery cannot be written as a Lua long string')
  return `[==[${text}]==]`
}

/** A wrk script that sends the deliveries in turn and prints its summary as one JSON line. */
function wrkScript(run: LoadRun): string {
  const lines = ['local requests = {}']
  for (const delivery of run.deliveries) {
    // wrk.format adds no Host header outside init(); node:http refuses HTTP/1.1 without one.
    const headers = Object.entries({ host: `127.0.0.1:${run.port}`, ...delivery.headers })
      .map(([name, value]) => `[ ${luaString(name)} ] = ${luaString(value)}`)
      .join(', ')
    lines.push(
      `requests[#requests + 1] = wrk.format('POST', ${luaString(run.path)}, { ${headers} }, ${luaString(delivery.body)})`,
    )
  }
  lines.push(
    'local i = 0',
    'request = function()',
    '  i = i + 1',
    '  if i > #requests then i = 1 end',
    '  return requests[i]',
    'end',
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'WRKJSON {"requests":%d,"non2xx":%d,"errors":%d,"p99Us":%d,"durationUs":%d}\\n\',',
    '    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(99), summary.duration))',
    'end',
  )
  return `${lines.join('\n')}\n`
}

// `times` prints the shell's and then its children's user and system time: the second line is wrk's.
function childSeconds(text: string): number {
  const lines = text.trim().split('\n')
  const last = lines[lines.length - 1] ?? ''
  const values = [...last.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]))
  return values.reduce((sum, value) => sum + value, 0)
}

function collect(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function runWrk(run: LoadRun): Promise<LoadResult> {
  const script = join(run.dir, `wrk-${run.path.replace(/\W/g, '_')}.lua`)
  writeFileSync(script, wrkScript(run))
  const pin = run.pinTo ? `taskset -c ${run.pinTo} ` : ''
  const wrk = `${pin}wrk -t1 -c${run.connections} -d${run.durationSec}s --timeout 10s -s '${script}' http://127.0.0.1:${run.port}`
  const { code, stdout, stderr } = await collect('bash', ['-c', `${wrk}; status=$?; times; exit $status`])
  const line = stdout.split('\n').find((each) => each.startsWith('WRKJSON '))
  if (code !== 0 || !line) throw new Error(`bench: wrk failed (${code}): ${stderr || stdout}`)
  const parsed = JSON.parse(line.slice('WRKJSON '.length)) as {
    requests: number
    non2xx: number
    errors: number
    p99Us: number
    durationUs: number
  }
  return {
    requests: parsed.requests,
    non2xx: parsed.non2xx,
    errors: parsed.errors,
    p99Ms: parsed.p99Us / 1000,
    elapsedSec: parsed.durationUs / 1e6,
    cpuSec: childSeconds(stdout),
  }
}

const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url))

async function runAutocannon(run: LoadRun): Promise<LoadResult> {
  const config = join(run.dir, `autocannon-${run.path.replace(/\W/g, '_')}.json`)
  writeFileSync(
    config,
    JSON.stringify({
      url: `http://127.0.0.1:${run.port}${run.path}`,
      connections: run.connections,
      durationSec: run.durationSec,
      deliveries: run.deliveries,
    }),
  )
  const node = [process.execPath, '--import', 'tsx', AUTOCANNON_CHILD, config]
  const [command, ...args] = run.pinTo ? ['taskset', '-c', run.pinTo, ...node] : node
  const { code, stdout, stderr } = await collect(command as string, args)
  const line = stdout.split('\n').find((each) => each.startsWith('ACJSON '))
  if (code !== 0 || !line) throw new Error(`bench: autocannon failed (${code}): ${stderr || stdout}`)
  return JSON.parse(line.slice('ACJSON '.length)) as LoadResult
}

/** Runs the load generator once and waits for its summary. */
export function runLoad(kind: LoadGeneratorKind, run: LoadRun): Promise<LoadResult> {
  return kind === 'wrk' ? runWrk(run) : runAutocannon(run)
}
