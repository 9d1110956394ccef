// Generates the README provider table from the presets themselves.
//   node --import tsx scripts/providers-table.ts          prints it
//   node --import tsx scripts/providers-table.ts --write  rewrites it in README.md
import { readFileSync, writeFileSync } from 'node:fs'
import { resolveTimings } from '../src/core/options.js'
import { inFlightStatus } from '../src/core/responses.js'
import { presetSamples } from '../test/providers/samples/index.js'

export const START = '<!-- providers-table:start -->'
export const END = '<!-- providers-table:end -->'

export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ]
  for (const [size, unit] of units) {
    if (ms >= size && ms % (size / 4) === 0) return `${+(ms / size).toFixed(2)} ${unit}`
  }
  for (const [size, unit] of units) if (ms >= size) return `${+(ms / size).toFixed(1)} ${unit}`
  return `${ms} ms`
}

export function providersTable(): string {
  const rows = [
    '| preset | provider | scheme | headers | event id | handshake | tolerance | retention | retried | in flight |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const [exportName, make] of Object.entries(presetSamples)) {
    const provider = make()
    const info = provider.info
    if (!info) throw new Error(`preset ${exportName} has no info`)
    const { retentionMs } = resolveTimings({ provider, enqueue: () => {} })
    const cells = [
      `\`${exportName}()\``,
      info.title,
      info.scheme,
      info.headers.map((h) => `\`${h}\``).join(', ') || '—',
      info.id,
      info.handshake ?? '—',
      info.toleranceMs === undefined ? '—' : `±${formatDuration(info.toleranceMs)}`,
      formatDuration(retentionMs),
      info.retries ?? '—',
      `${inFlightStatus(provider.retriedStatuses)}`,
    ]
    rows.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)
  }
  return rows.join('\n')
}

export function replaceTable(readme: string, table: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md needs ${START} and ${END}`)
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = providersTable()
  if (process.argv.includes('--write')) {
    writeFileSync('README.md', replaceTable(readFileSync('README.md', 'utf8'), table))
    console.log('README.md provider table updated')
  } else {
    console.log(table)
  }
}
