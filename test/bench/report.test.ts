// The report generator of `npm run bench` renders a results object to Markdown and SVG the same
// way every time, and the chart is well-formed XML. The figures here are made up: no measured
// figure is asserted anywhere.
import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import {
  CHART_PATH,
  type HttpBenchResult,
  README_END,
  README_START,
  renderReport,
  targets,
  withReadmeHeadline,
} from '../../bench/report.js'
import type { BenchResults, Disturbance, VerifyRow } from '../../bench/results.js'

const calm: Disturbance = { othersCores: 0.02, ownCores: 1, seconds: 3, disturbed: false }
const busy: Disturbance = { othersCores: 1.4, ownCores: 1, seconds: 3, disturbed: true }

function verifyRows(family: string, subjects: [string, VerifyRow['kind'], number, string?][]): VerifyRow[] {
  return [256, 2048].flatMap((size) =>
    subjects.map(([subject, kind, ratio, peerOf]) => ({
      family,
      subject,
      kind,
      size,
      medianNs: Math.round(ratio * size * 3),
      ratio: size === 256 ? ratio : 1 + (ratio - 1) / 4,
      versus: kind === 'floor' || kind === 'ours' || kind === 'peer' ? ('floor' as const) : ('floor-parse' as const),
      ...(peerOf ? { peerOf } : {}),
    })),
  )
}

function fixture(http?: HttpBenchResult): BenchResults {
  return {
    date: '2026-12-01',
    machine: { cpu: 'Test CPU', cores: 2, node: 'v20.20.2', os: 'Linux 6.1', memoryGiB: 8 },
    quick: true,
    commands: ['npm run bench -- --quick'],
    seconds: 95.4,
    disturbance: busy,
    verify: {
      families: [
        { family: 'github', scheme: 'HMAC-SHA256 (hex) of the body', floor: '`createHmac` + `timingSafeEqual`' },
        { family: 'discord', scheme: 'Ed25519 <hex> & timestamp', floor: '`crypto.verify`' },
      ],
      sizes: [256, 2048],
      rows: [
        ...verifyRows('github', [
          ['floor', 'floor', 1],
          ['floor + JSON.parse', 'floor-parse', 1],
          ['github() verify + parse', 'ours-parse', 1.3],
          ['octokit user: toString + verify + JSON.parse', 'peer-parse', 1.5, 'github() verify + parse'],
          ['handle() github, memory store, no-op enqueue', 'pipeline', 2.6],
        ]),
        ...verifyRows('discord', [
          ['floor', 'floor', 1],
          ['floor + JSON.parse', 'floor-parse', 1],
          ['discord() verify + parse', 'ours-parse', 14.5],
          ['discord-interactions `verifyKey` + JSON.parse', 'peer-parse', 1.1, 'discord() verify + parse'],
        ]),
      ],
      blocks: [256, 2048].flatMap((size) => [
        { family: 'github', size, rounds: 3, attempts: 1, disturbance: calm },
        { family: 'discord', size, rounds: 3, attempts: 3, disturbance: busy },
      ]),
      harness: 'tinybench, 3 rounds',
    },
    pipeline: {
      services: ['redis://127.0.0.1:6379', 'postgres://127.0.0.1:5432/wi_test'],
      skipped: ['skipped the NATS hand-off: no answer within 5000 ms (nats://127.0.0.1:4222)'],
      rows: [
        { group: 'store', subject: 'memory', concurrency: 1, n: 400, p50Ms: 0.05, p99Ms: 0.2, disturbance: calm },
        {
          group: 'store',
          subject: 'redis (node-redis)',
          concurrency: 1,
          n: 400,
          p50Ms: 0.3,
          p99Ms: 0.9,
          addedP50Ms: 0.25,
          addedP99Ms: 0.7,
          disturbance: busy,
        },
        {
          group: 'queue',
          subject: 'no-op enqueue',
          concurrency: 16,
          n: 400,
          p50Ms: 0.4,
          p99Ms: 1.2,
          disturbance: calm,
        },
      ],
    },
    memory: {
      build: 'tsup',
      disturbance: calm,
      rows: [
        {
          kind: 'baseline',
          subject: 'empty process',
          rssMiB: 40,
          heapUsedMiB: 4,
          addedRssMiB: 0,
          addedHeapMiB: 0,
          disturbed: false,
        },
        {
          kind: 'peer',
          subject: 'twilio',
          rssMiB: 60,
          heapUsedMiB: 14,
          addedRssMiB: 20,
          addedHeapMiB: 10,
          disturbed: false,
          error: 'Error: a | b',
        },
      ],
    },
    ...(http ? { http } : {}),
    notRun: http ? {} : { http: 'bench/http.ts (the HTTP harness) is not in this tree yet' },
  }
}

const http: HttpBenchResult = {
  loadGenerator: 'autocannon 8',
  pinned: true,
  command: 'taskset -c 1 autocannon …',
  durationSec: 8,
  connections: 10,
  bodyBytes: 2048,
  rows: (['bare', 'floor', 'floor-parse', 'ours'] as const).map((route, i) => ({
    framework: 'node:http',
    route,
    reqPerSec: 10_000 - i * 1_500,
    p99Ms: 2,
    cpuUsPerReq: 10 + i,
    runs: 3,
    disturbed: route === 'ours',
  })),
}

/** Parses with xmldom; a fatal error (not well-formed) throws, an error is recorded: both are failures. */
function parseSvg(svg: string) {
  const errors: string[] = []
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') errors.push(message)
      },
    }).parseFromString(svg, 'image/svg+xml')
    return { document, errors }
  } catch (error) {
    return { document: undefined, errors: [...errors, (error as Error).message] }
  }
}

describe('bench report', () => {
  it('renders the same results to the same Markdown and SVG, byte for byte', () => {
    const first = renderReport(fixture(http))
    const second = renderReport(fixture(http))
    expect(second.markdown).toBe(first.markdown)
    expect(second.svg).toBe(first.svg)
  })

  it('writes the machine line, the commands, every section, the chart link and the quick-run warning', () => {
    const { markdown } = renderReport(fixture())
    expect(markdown).toMatch(/^# Benchmarks\n\n> \*\*Quick run \(`--quick`\) on a loaded machine\.\*\*/)
    expect(markdown).toContain('Machine: Test CPU, 2 cores, 8 GiB, Node v20.20.2, Linux 6.1.')
    expect(markdown).toContain('npm ci\nnpm run bench -- --quick\n')
    expect(markdown).toContain(`](${CHART_PATH})`)
    for (const heading of [
      '## Performance targets',
      '## Headline',
      '## Verification',
      '## Pipeline',
      '## Memory',
      '## HTTP',
    ]) {
      expect(markdown).toContain(heading)
    }
    expect(markdown).toContain('HTTP section not run: bench/http.ts (the HTTP harness) is not in this tree yet.')
    expect(markdown).toContain('- skipped the NATS hand-off')
    expect(markdown).toContain('Services: `redis://127.0.0.1:6379`, `postgres://127.0.0.1:5432/wi_test`.')
    // A pipe inside a cell would split the table row.
    expect(markdown).toContain('(failed: Error: a \\| b)')
    expect(markdown).toContain('(3 attempts)')
  })

  it('marks each target met or missed from the ratios it is given, and unmeasured ones as such', () => {
    const list = targets(fixture())
    const find = (text: string) => list.find((t) => t.target.includes(text))
    expect(find('github() verify + parse within 1.3×')?.met).toBe(true)
    expect(find('github() verify + parse within 1.05×')?.met).toBe(false)
    expect(find('github() verify + parse faster than octokit')?.met).toBe(true)
    expect(find('discord() verify + parse faster than discord-interactions')?.met).toBe(false)
    expect(find('`handle()`')?.met).toBe(false)
    expect(find('Redis store')?.met).toBe(true)
    expect(find('Redis store')?.disturbed).toBe(true)
    expect(renderReport(fixture()).markdown).toMatch(
      /\| Redis store adds under 1 ms p99 per delivery on loopback \| 0\.700 ms \(redis \(node-redis\)\) \| ✓ ⚠ \|/,
    )
    const noisy = fixture()
    const redis = noisy.pipeline?.rows[1]
    if (redis) redis.addedP99Ms = -2
    expect(targets(noisy).find((t) => t.target.includes('Redis store'))?.met).toBe(null)
    expect(find('PostgreSQL store')?.met).toBe(null)
    expect(find('90 %')?.met).toBe(null)
    const withHttp = targets(fixture(http))
    expect(withHttp.find((t) => t.target.startsWith('node:http'))?.measured).toBe('79 %')
    const { markdown } = renderReport(fixture(http))
    expect(markdown).toMatch(
      /\| node:http \| 10\.0 µs \| 11\.0 µs \(\+1\.0\) \| 12\.0 µs \(\+2\.0\) \| 13\.0 µs \(\+3\.0\) ⚠ \| – \| – \| 5500 \| 79 % \|/,
    )
  })

  it('draws the chart as well-formed SVG with one bar per parsed-payload row and escaped text', () => {
    const results = fixture()
    const { svg } = renderReport(results)
    const { document, errors } = parseSvg(svg)
    expect(errors).toEqual([])
    if (!document) throw new Error('no document')
    const root = document.documentElement
    expect(root?.nodeName).toBe('svg')
    expect(root?.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg')
    const bars = Array.from(document.getElementsByTagName('rect')).filter(
      (rect) => rect.getElementsByTagName('title').length > 0,
    )
    const charted = results.verify?.rows.filter((r) => ['ours-parse', 'peer-parse', 'pipeline'].includes(r.kind)) ?? []
    expect(bars).toHaveLength(charted.length)
    expect(svg).toContain('Ed25519 &lt;hex&gt; &amp; timestamp')
    expect(document.getElementsByTagName('g')).toHaveLength(2)
  })

  it('still draws a well-formed chart when the run has no verification figures', () => {
    const results = { ...fixture(), verify: undefined }
    const { svg, markdown } = renderReport(results)
    expect(parseSvg(svg).errors).toEqual([])
    expect(svg).toContain('No verification figures in this run.')
    expect(markdown).toContain('_No verification figures in this run._')
  })

  it('replaces only the README text between the headline markers, and nothing without them', () => {
    const readme = `# x\n\n${README_START}\nold table\n${README_END}\n\n## Next\n`
    const updated = withReadmeHeadline(readme, fixture())
    expect(updated.startsWith(`# x\n\n${README_START}\nQuick run, 2026-12-01`)).toBe(true)
    expect(updated).not.toContain('old table')
    expect(updated).toContain('| **github() verify + parse** |')
    expect(updated.endsWith(`${README_END}\n\n## Next\n`)).toBe(true)
    expect(withReadmeHeadline(updated, fixture())).toBe(updated)
    expect(withReadmeHeadline('# no markers\n', fixture())).toBe('# no markers\n')
  })

  it('a broken document is caught by the same parse', () => {
    expect(parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>').errors.length).toBeGreaterThan(0)
  })
})
