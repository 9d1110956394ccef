// Renders one run's figures (bench/results.ts) to BENCHMARKS.md and the chart. Pure: the same
// results give the same bytes (test/bench/report.test.ts checks it), and nothing here measures.
import { renderChart } from './chart.js'
import { DISTURBED_ABOVE_CORES } from './disturbance.js'
import type { HttpBenchResult, HttpBenchRow } from './http.js'
import {
  type BenchResults,
  type LatencyRow,
  POSTGRES_FLOOR,
  REDIS_FLOOR,
  type VerifyRow,
  type VerifySection,
} from './results.js'

// The HTTP section's figures, as bench/http.ts produces them.
export type { HttpBenchResult, HttpBenchRow } from './http.js'

type HttpRoute = HttpBenchRow['route']

/** Where the chart is written, relative to the repository root (the README links it). */
export const CHART_PATH = 'docs/benchmarks.svg'

export interface Target {
  target: string
  measured: string
  /** undefined: reported, no bound; null: not measured in this run. */
  met: boolean | undefined | null
  /** Some of the measurements behind it were disturbed by other processes. */
  disturbed?: boolean
}

const HMAC_FAMILIES = ['github', 'stripe', 'standard-webhooks', 'slack', 'twilio']
const KEY_FAMILIES = ['discord', 'sendgrid']

export function sizeLabel(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`
  return `${bytes} B`
}

const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–')
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(3)} ms`)
const cores = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')

function duration(ns: number): string {
  if (!Number.isFinite(ns)) return '–'
  if (ns < 1_000) return `${ns.toFixed(0)} ns`
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`
  return `${(ns / 1_000_000).toFixed(2)} ms`
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

const mark = (t: Target) =>
  `${t.met === true ? '✓' : t.met === false ? '✗' : t.met === null ? 'not measured' : 'reported'}${t.disturbed && t.met !== null ? ' ⚠' : ''}`

/** ours / peer at each size, both as ratios of the same floor in the same rounds. */
function againstPeer(verify: VerifySection, ours: string, peer: string) {
  return verify.sizes.map((size) => {
    const a = verify.rows.find((r) => r.subject === ours && r.size === size)
    const b = verify.rows.find((r) => r.subject === peer && r.size === size)
    return { size, ratio: a && b ? a.ratio / b.ratio : Number.NaN }
  })
}

function worst(points: { size: number; ratio: number }[]) {
  const measured = points.filter((p) => Number.isFinite(p.ratio))
  if (measured.length === 0) return undefined
  return measured.reduce((a, b) => (b.ratio > a.ratio ? b : a))
}

/** Every performance target with this run's figure; targets of sections not run are "not measured". */
export function targets(results: BenchResults): Target[] {
  const out: Target[] = []
  const verify = results.verify
  const rowsOf = (family: string, kind: VerifyRow['kind']) =>
    verify ? [...new Set(verify.rows.filter((r) => r.family === family && r.kind === kind).map((r) => r.subject))] : []
  const ratioAt = (subject: string, size: number) =>
    verify?.rows.find((r) => r.subject === subject && r.size === size)?.ratio ?? Number.NaN
  const familyOf = (subject: string) => verify?.rows.find((r) => r.subject === subject)?.family
  const disturbed = (subject: string) =>
    verify?.blocks.some((b) => b.family === familyOf(subject) && b.disturbance.disturbed) ?? false

  for (const family of HMAC_FAMILIES) {
    const subjects = rowsOf(family, 'ours-parse')
    if (subjects.length === 0) {
      out.push({
        target: `${family}: verify + parse within 1.3× of floor + parse at 256 B, 1.05× at 2 KB and above`,
        measured: '–',
        met: null,
      })
    }
    for (const subject of subjects) {
      const small = ratioAt(subject, 256)
      out.push({
        target: `${subject} within 1.3× of floor + parse at 256 B`,
        measured: times(small),
        met: Number.isFinite(small) ? small <= 1.3 : null,
        disturbed: disturbed(subject),
      })
      const large = worst(
        (verify?.sizes ?? []).filter((s) => s >= 2048).map((size) => ({ size, ratio: ratioAt(subject, size) })),
      )
      out.push({
        target: `${subject} within 1.05× of floor + parse at 2 KB and above`,
        measured: large ? `${times(large.ratio)} (worst, at ${sizeLabel(large.size)})` : '–',
        met: large ? large.ratio <= 1.05 : null,
        disturbed: disturbed(subject),
      })
    }
  }
  for (const family of KEY_FAMILIES) {
    const subjects = rowsOf(family, 'ours-parse')
    if (subjects.length === 0) {
      out.push({
        target: `${family}: within 1.2× of \`crypto.verify\` with a cached key at every size`,
        measured: '–',
        met: null,
      })
    }
    for (const subject of subjects) {
      const w = worst((verify?.sizes ?? []).map((size) => ({ size, ratio: ratioAt(subject, size) })))
      out.push({
        target: `${subject} within 1.2× of \`crypto.verify\` (cached key) + parse at every size`,
        measured: w ? `${times(w.ratio)} (worst, at ${sizeLabel(w.size)})` : '–',
        met: w ? w.ratio <= 1.2 : null,
        disturbed: disturbed(subject),
      })
    }
  }
  for (const family of [...HMAC_FAMILIES, ...KEY_FAMILIES]) {
    for (const peer of verify?.rows.filter((r) => r.family === family && r.peerOf && r.kind === 'peer-parse') ?? []) {
      if (peer.size !== verify?.sizes[0]) continue
      const w = worst(againstPeer(verify, peer.peerOf as string, peer.subject))
      out.push({
        target: `${peer.peerOf} faster than ${peer.subject} at every size`,
        measured: w ? `${times(w.ratio)} its time (worst, at ${sizeLabel(w.size)})` : '–',
        met: w ? w.ratio < 1 : null,
        disturbed: disturbed(peer.subject),
      })
    }
  }
  const pipeline = verify?.rows.find((r) => r.kind === 'pipeline' && r.size === 2048)
  out.push({
    target: '`handle()` (github, memory store, no-op enqueue) within 1.3× of floor + parse at 2 KB',
    measured: pipeline ? times(pipeline.ratio) : '–',
    met: pipeline ? pipeline.ratio <= 1.3 : null,
    disturbed: pipeline ? disturbed(pipeline.subject) : false,
  })

  const http = results.http
  const frameworks = http ? [...new Set(http.rows.map((r) => r.framework))] : []
  if (frameworks.length === 0) {
    out.push({
      target: 'each adapter keeps at least 90 % of its framework’s floor-and-parse req/s',
      measured: '–',
      met: null,
    })
  }
  for (const framework of frameworks) {
    const share = httpShare(http as HttpBenchResult, framework)
    out.push({
      target: `${framework}: our adapter keeps at least 90 % of the floor-and-parse route’s req/s`,
      measured: Number.isFinite(share) ? `${(share * 100).toFixed(0)} %` : '–',
      met: Number.isFinite(share) ? share >= 0.9 : null,
      disturbed: (http as HttpBenchResult).rows.some((r) => r.framework === framework && r.disturbed),
    })
  }

  const baselineDisturbed = (row: LatencyRow) =>
    results.pipeline?.rows.find((r) => r.group === row.group && r.concurrency === row.concurrency)?.disturbance
      .disturbed ?? false
  const storeRows = results.pipeline?.rows.filter((r) => r.group === 'store' && r.concurrency === 1) ?? []
  const claimRows = results.pipeline?.rows.filter((r) => r.group === 'claim') ?? []
  for (const [name, prefix, boundMs, floorName] of [
    ['Redis', 'redis', 1, REDIS_FLOOR],
    ['PostgreSQL', 'postgres', 3, POSTGRES_FLOOR],
  ] as const) {
    const floor = claimRows.find((r) => r.subject.startsWith(floorName))
    const rows = storeRows.filter((r) => r.subject.startsWith(prefix) && r.addedP99Ms !== undefined)
    const w = rows.reduce<LatencyRow | undefined>(
      (a, b) => (!a || (b.addedP99Ms as number) > (a.addedP99Ms as number) ? b : a),
      undefined,
    )
    const added = w?.addedP99Ms as number
    // Below the baseline's own p99: the noise is larger than the store's cost, so nothing is shown.
    const noise = w !== undefined && added < 0
    out.push({
      target: `${name} store adds under ${boundMs} ms p99 per delivery on loopback`,
      measured: w
        ? `${ms(added)} (${w.subject})${noise ? ', below the memory store’s p99: noise' : ''}${
            floor ? `; the engine’s own claim and completion by hand: ${ms(floor.p99Ms)} p99` : ''
          }`
        : '–',
      met: w && !noise ? added < boundMs : null,
      disturbed: w ? w.disturbance.disturbed || baselineDisturbed(w) : false,
    })
  }
  for (const row of results.pipeline?.rows.filter(
    (r) => (r.group === 'inbox' || r.group === 'queue') && r.concurrency === 1,
  ) ?? []) {
    if (row.addedP99Ms === undefined) continue
    out.push({
      target: `${row.group === 'inbox' ? 'inbox receive-to-200' : 'hand-off'}: ${row.subject}, added p50 / p99`,
      measured: `${ms(row.addedP50Ms)} / ${ms(row.addedP99Ms)}`,
      met: undefined,
      disturbed: row.disturbance.disturbed || baselineDisturbed(row),
    })
  }
  return out
}

function httpShare(http: HttpBenchResult, framework: string): number {
  const of = (route: HttpRoute) => http.rows.find((r) => r.framework === framework && r.route === route)?.reqPerSec
  const ours = of('ours')
  const floor = of('floor-parse')
  return ours !== undefined && floor ? ours / floor : Number.NaN
}

function disturbanceNote(othersCores: number, disturbed: boolean): string {
  return disturbed ? `others ${cores(othersCores)} cores ⚠` : `others ${cores(othersCores)} cores`
}

function renderVerify(verify: VerifySection): string {
  const parts: string[] = [
    '## Verification against the floor and the peers',
    '',
    `Harness: ${verify.harness}. Each cell is the subject’s time as a ratio of its floor’s time in the same round (median over rounds), then the median time per call. Rows without parsing are ratios of the floor; rows that return a parsed payload are ratios of the floor + \`JSON.parse\` (on the raw bytes). Every subject gets the raw body as a \`Buffer\`; a peer whose API wants a string gets it made beforehand in its plain row and pays for it in its “+ parse” row, as its user would. ⚠ marks a block measured while other processes used more than ${DISTURBED_ABOVE_CORES} of a core.`,
  ]
  for (const family of verify.families) {
    const rows = verify.rows.filter((r) => r.family === family.family)
    const subjects = [...new Set(rows.map((r) => r.subject))]
    parts.push('', `### ${family.family}: ${family.scheme}`, '', `Floor: ${family.floor}.`, '')
    const cell = (subject: string, size: number) => {
      const row = rows.find((r) => r.subject === subject && r.size === size)
      return row ? `${times(row.ratio)} (${duration(row.medianNs)})` : '–'
    }
    parts.push(
      table(
        ['subject', 'vs', ...verify.sizes.map(sizeLabel)],
        subjects.map((subject) => {
          const row = rows.find((r) => r.subject === subject) as VerifyRow
          return [
            subject,
            row.versus === 'floor' ? 'floor' : 'floor + parse',
            ...verify.sizes.map((s) => cell(subject, s)),
          ]
        }),
      ),
    )
    const blocks = verify.blocks.filter((b) => b.family === family.family)
    parts.push(
      '',
      `Load: ${blocks.map((b) => `${sizeLabel(b.size)} ${disturbanceNote(b.disturbance.othersCores, b.disturbance.disturbed)}${b.attempts > 1 ? ` (${b.attempts} attempts)` : ''}`).join('; ')}.`,
    )
  }
  return parts.join('\n')
}

const GROUP_TITLES: Record<string, string> = {
  store:
    'Stores: `handle()` per delivery (Stripe signature, claim, no-op enqueue, complete); added = minus the memory store',
  inbox: 'Inboxes: receive to 200 (verify, one atomic accept committed, answer); added = minus the memory inbox',
  queue:
    'Queue hand-offs: `handle()` with the memory store and each helper as `enqueue`; added = minus a no-op enqueue',
  claim:
    'claim + complete alone, one dedupe key and two, and each engine’s own floor (the same two writes by hand); added = minus the memory store with one key',
  otel: 'webhook-inbox/otel per delivery (memory store); added = minus no instrumentation',
  processed: 'Inbox receive-to-processed over PostgreSQL (the worker woken by LISTEN/NOTIFY only)',
}

function renderPipeline(results: BenchResults): string {
  const pipeline = results.pipeline
  if (!pipeline) return `## Pipeline\n\nPipeline section not run: ${results.notRun.pipeline ?? 'no figures'}.`
  const parts = [
    '## Pipeline',
    '',
    'Latency of one delivery, p50 and p99, one after the other (concurrency 1) and 16 in flight (concurrency 16). Services on loopback; their processes’ CPU (Redis, PostgreSQL, RabbitMQ, NATS) is not counted as other processes’ load.',
  ]
  parts.push('', `Services: ${(pipeline.services ?? []).map((url) => `\`${url}\``).join(', ')}.`)
  for (const line of pipeline.skipped) parts.push('', `- ${line}`)
  for (const group of Object.keys(GROUP_TITLES)) {
    const rows = pipeline.rows.filter((r) => r.group === group)
    if (rows.length === 0) continue
    parts.push('', `### ${GROUP_TITLES[group]}`, '')
    parts.push(
      table(
        ['subject', 'concurrency', 'n', 'p50', 'p99', 'added p50', 'added p99', 'load'],
        rows.map((r) => [
          r.subject,
          String(r.concurrency),
          String(r.n),
          ms(r.p50Ms),
          ms(r.p99Ms),
          ms(r.addedP50Ms),
          ms(r.addedP99Ms),
          disturbanceNote(r.disturbance.othersCores, r.disturbance.disturbed),
        ]),
      ),
    )
  }
  return parts.join('\n')
}

function renderMemory(results: BenchResults): string {
  const memory = results.memory
  if (!memory) return `## Memory\n\nMemory section not run: ${results.notRun.memory ?? 'no figures'}.`
  const mib = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} MiB` : '–')
  return [
    '## Memory',
    '',
    `RSS and V8 heap used of a fresh Node process after the import or the work, after two full collections, and what that adds to an empty process. Ours: ${memory.build}. Load: ${disturbanceNote(memory.disturbance.othersCores, memory.disturbance.disturbed)}.`,
    '',
    table(
      ['', 'subject', 'RSS', 'heap used', 'added RSS', 'added heap'],
      memory.rows.map((r) => [
        r.kind,
        r.error ? `${r.subject} (failed: ${r.error.replace(/\|/g, '\\|')})` : `${r.subject}${r.disturbed ? ' ⚠' : ''}`,
        mib(r.rssMiB),
        mib(r.heapUsedMiB),
        mib(r.addedRssMiB),
        mib(r.addedHeapMiB),
      ]),
    ),
  ].join('\n')
}

const HTTP_ROUTES: HttpRoute[] = ['bare', 'floor', 'floor-parse', 'ours', 'octokit', 'stripe-sdk']

function renderHttp(results: BenchResults): string {
  const http = results.http
  if (!http) return `## HTTP\n\nHTTP section not run: ${results.notRun.http ?? 'no figures'}.`
  const frameworks = [...new Set(http.rows.map((r) => r.framework))]
  const of = (framework: string, route: HttpRoute) =>
    http.rows.find((r) => r.framework === framework && r.route === route)
  const us = (row: HttpBenchRow | undefined, bare: HttpBenchRow | undefined) => {
    if (!row) return '–'
    const above = bare && row !== bare ? ` (+${(row.cpuUsPerReq - bare.cpuUsPerReq).toFixed(1)})` : ''
    return `${row.cpuUsPerReq.toFixed(1)} µs${above}${row.disturbed ? ' ⚠' : ''}`
  }
  return [
    '## HTTP',
    '',
    `${http.loadGenerator}, ${http.connections} connections, ${http.bodyBytes}-byte signed POST, ${http.durationSec} s per run, ${http.pinned ? 'server and load generator pinned to different cores' : 'not pinned'}. Command: \`${http.command}\`. Server CPU per request by route, with what it adds to the bare route in brackets (bare = raw body read and 200; floor = bare + a hand-written \`createHmac\` check; floor-parse = floor + \`JSON.parse\`; ours = our adapter with the whole pipeline, memory store, no-op enqueue), and our route’s requests/s as a share of the floor-and-parse route’s. ⚠ = run disturbed by other processes.`,
    '',
    table(
      ['framework', ...HTTP_ROUTES, 'ours req/s', 'ours as % of floor-parse req/s'],
      frameworks.map((framework) => {
        const share = httpShare(http, framework)
        const ours = of(framework, 'ours')
        return [
          framework,
          ...HTTP_ROUTES.map((route) => us(of(framework, route), of(framework, 'bare'))),
          ours ? ours.reqPerSec.toFixed(0) : '–',
          Number.isFinite(share) ? `${(share * 100).toFixed(0)} %` : '–',
        ]
      }),
    ),
  ].join('\n')
}

/** The headline table: verify + parse against floor + parse, ours and the peers, per size. */
export function headline(results: BenchResults): string {
  const verify = results.verify
  if (!verify) return '_No verification figures in this run._'
  const subjects = verify.rows.filter(
    (r) => r.size === verify.sizes[0] && (r.kind === 'ours-parse' || r.kind === 'peer-parse' || r.kind === 'pipeline'),
  )
  return table(
    ['time / (floor + parse)', ...verify.sizes.map(sizeLabel)],
    subjects.map((s) => [
      s.kind === 'ours-parse' || s.kind === 'pipeline' ? `**${s.subject}**` : s.subject,
      ...verify.sizes.map((size) =>
        times(verify.rows.find((r) => r.subject === s.subject && r.size === size)?.ratio ?? Number.NaN),
      ),
    ]),
  )
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine
  const header = results.quick
    ? `> **Quick run (\`--quick\`)${results.disturbance.disturbed ? ' on a loaded machine' : ''}.** Few rounds and short segments${results.disturbance.disturbed ? `, while other processes used ${cores(results.disturbance.othersCores)} of ${m.cores} cores on average` : ''}: the ratios show the shape, not figures to quote. Regenerate with \`npm run bench\` on a quiet machine.\n\n`
    : results.disturbance.disturbed
      ? `> **Disturbed run**: other processes used ${cores(results.disturbance.othersCores)} of ${m.cores} cores on average; ⚠ marks the measurements concerned.\n\n`
      : ''
  const targetList = targets(results)
  const missed = targetList.filter((t) => t.met === false).length
  const met = targetList.filter((t) => t.met === true).length
  return `${[
    '# Benchmarks',
    '',
    `${header}Written by \`npm run bench\` on ${results.date} in ${Math.round(results.seconds)} s. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}. Other processes used ${cores(results.disturbance.othersCores)} cores on average during the run.`,
    '',
    'Commands, from a fresh clone (services on 127.0.0.1 as in the README’s Development section; a section whose service is down says so and is skipped):',
    '',
    '```sh',
    'npm ci',
    ...results.commands,
    '```',
    '',
    `![Verification time as a ratio of the floor + JSON.parse, per size, ours and the peers](${CHART_PATH})`,
    '',
    '## Performance targets',
    '',
    `${met} met, ${missed} missed, in this run’s ratios.`,
    '',
    table(
      ['target', 'measured', ''],
      targetList.map((t) => [t.target, t.measured, mark(t)]),
    ),
    '',
    '## Headline: verify + parse against the floor + parse',
    '',
    headline(results),
    '',
    results.verify
      ? renderVerify(results.verify)
      : `## Verification\n\nVerification section not run: ${results.notRun.verify ?? 'no figures'}.`,
    '',
    renderPipeline(results),
    '',
    renderMemory(results),
    '',
    renderHttp(results),
  ].join('\n')}\n`
}

export const README_START = '<!-- bench:headline:start (written by npm run bench) -->'
export const README_END = '<!-- bench:headline:end -->'

/** The README text between the markers, replaced by this run's headline (unchanged without the markers). */
export function withReadmeHeadline(readme: string, results: BenchResults): string {
  const start = readme.indexOf(README_START)
  const end = readme.indexOf(README_END)
  if (start === -1 || end < start || !results.verify) return readme
  const m = results.machine
  const note = `${results.quick ? 'Quick run, ' : ''}${results.date}, ${m.cpu}, ${m.cores} cores, Node ${m.node}${results.disturbance.disturbed ? `; other processes used ${cores(results.disturbance.othersCores)} cores` : ''}. Time as a multiple of \`createHmac\` / \`crypto.verify\` + \`JSON.parse\` on the same bytes, in the same rounds (lower is better).`
  const block = `${README_START}\n${note}\n\n${headline(results)}\n${README_END}`
  return readme.slice(0, start) + block + readme.slice(end + README_END.length)
}

export function renderReport(results: BenchResults): { markdown: string; svg: string } {
  return { markdown: renderMarkdown(results), svg: renderChart(results) }
}
