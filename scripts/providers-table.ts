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

export const SECURITY_START = '<!-- security-table:start -->'
export const SECURITY_END = '<!-- security-table:end -->'

/** The README "Security model" table: where each preset's id and type come from, and whether they are signed. */
export function securityTable(): string {
  const rows = [
    '| preset | event id from | id signed | second dedupe key | type from | type signed | signed timestamp |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const [exportName, make] of Object.entries(presetSamples)) {
    const info = make().info
    if (!info) throw new Error(`preset ${exportName} has no info`)
    if (info.type === undefined || info.typeSigned === undefined || info.idSigned === undefined) {
      throw new Error(`preset ${exportName} does not say where its type comes from and whether id and type are signed`)
    }
    const shared = info.sharedToken === true
    const cells = [
      `\`${exportName}()\``,
      info.id,
      shared ? 'no (shared token: nothing is signed)' : info.idSigned ? 'yes' : 'no',
      shared || info.idSigned ? '—' : '`sig:` SHA-256 of the signed material',
      info.type,
      info.type === 'none' ? '—' : shared ? 'no (shared token)' : info.typeSigned ? 'yes' : 'no',
      info.toleranceMs === undefined ? 'none' : `±${formatDuration(info.toleranceMs)}`,
    ]
    rows.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)
  }
  return rows.join('\n')
}

export function replaceTable(readme: string, table: string, start = START, end = END): string {
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md needs ${start} and ${end}`)
  return `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = providersTable()
  if (process.argv.includes('--write')) {
    const readme = replaceTable(readFileSync('README.md', 'utf8'), table)
    writeFileSync('README.md', replaceTable(readme, securityTable(), SECURITY_START, SECURITY_END))
    console.log('README.md provider and security tables updated')
  } else {
    console.log(table)
  }
}
