// The README's chart, written by hand as SVG: one panel per scheme family, a group of bars per
// body size, one bar per subject that returns a parsed payload (ours, handle(), the peers), each
// its time as a ratio of the floor + JSON.parse in the same rounds. Deterministic and dependency-free.
import type { BenchResults, VerifyRow } from './results.js'

const WIDTH = 920
const LEFT = 56
const RIGHT = 16
const PLOT_HEIGHT = 150
const TITLE_HEIGHT = 34
const LEGEND_LINE = 18
const GAP = 26
/** Bars taller than this ratio are cut at it and labelled with their value. */
const CAP = 8

const OURS = ['#1d4ed8', '#60a5fa']
const PIPELINE = '#0f766e'
const PEERS = ['#c2410c', '#f59e0b', '#7c3aed', '#6b7280']

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  )
}

const plain = (subject: string) => subject.replace(/`/g, '')
const fixed = (x: number) => (Math.round(x * 10) / 10).toString()

function sizeLabel(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`
  return `${bytes} B`
}

interface Series {
  subject: string
  color: string
}

function seriesOf(rows: VerifyRow[]): Series[] {
  const subjects = [...new Set(rows.map((r) => `${r.kind}\u0000${r.subject}`))].map((k) => {
    const [kind, subject] = k.split('\u0000') as [VerifyRow['kind'], string]
    return { kind, subject }
  })
  let ours = 0
  let peers = 0
  return subjects.map(({ kind, subject }) => ({
    subject,
    color:
      kind === 'pipeline'
        ? PIPELINE
        : kind === 'ours-parse'
          ? (OURS[ours++ % OURS.length] as string)
          : (PEERS[peers++ % PEERS.length] as string),
  }))
}

/** Legend items laid out left to right, wrapping; returns the elements and the lines used. */
function legend(series: Series[], top: number): { svg: string[]; lines: number } {
  const svg: string[] = []
  let x = LEFT
  let line = 0
  for (const s of series) {
    const label = plain(s.subject)
    const width = 18 + label.length * 6.2 + 18
    if (x + width > WIDTH - RIGHT && x > LEFT) {
      x = LEFT
      line++
    }
    const y = top + line * LEGEND_LINE
    svg.push(
      `<rect x="${fixed(x)}" y="${fixed(y)}" width="11" height="11" fill="${s.color}"/>`,
      `<text x="${fixed(x + 16)}" y="${fixed(y + 10)}" class="legend">${escapeXml(label)}</text>`,
    )
    x += width
  }
  return { svg, lines: line + 1 }
}

export function renderChart(results: BenchResults): string {
  const verify = results.verify
  const body: string[] = []
  let top = 44
  const families = verify?.families.filter((f) =>
    verify.rows.some((r) => r.family === f.family && r.versus === 'floor-parse' && r.kind !== 'floor-parse'),
  )
  for (const family of families ?? []) {
    const rows = (verify?.rows ?? []).filter(
      (r) =>
        r.family === family.family && (r.kind === 'ours-parse' || r.kind === 'peer-parse' || r.kind === 'pipeline'),
    )
    const sizes = verify?.sizes ?? []
    const series = seriesOf(rows)
    const highest = Math.max(1, ...rows.map((r) => (Number.isFinite(r.ratio) ? r.ratio : 0)))
    const yMax = Math.min(CAP, Math.max(2, Math.ceil(highest * 1.1)))
    const plotTop = top + TITLE_HEIGHT
    const plotBottom = plotTop + PLOT_HEIGHT
    const y = (ratio: number) => plotBottom - (Math.min(ratio, yMax) / yMax) * PLOT_HEIGHT
    body.push(
      `<g class="panel" data-family="${escapeXml(family.family)}">`,
      `<text x="${LEFT}" y="${top + 16}" class="title">${escapeXml(family.family)}</text>`,
      `<text x="${LEFT}" y="${top + 30}" class="subtitle">${escapeXml(plain(family.scheme))}</text>`,
    )
    const step = yMax <= 4 ? 1 : 2
    for (let tick = 0; tick <= yMax; tick += step) {
      body.push(
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fixed(y(tick))}" y2="${fixed(y(tick))}" class="grid"/>`,
        `<text x="${LEFT - 6}" y="${fixed(y(tick) + 4)}" class="tick" text-anchor="end">${tick}×</text>`,
      )
    }
    const groupWidth = (WIDTH - LEFT - RIGHT) / Math.max(1, sizes.length)
    const barWidth = Math.min(24, (groupWidth - 24) / Math.max(1, series.length))
    sizes.forEach((size, g) => {
      const start = LEFT + g * groupWidth + (groupWidth - barWidth * series.length) / 2
      series.forEach((s, i) => {
        const row = rows.find((r) => r.subject === s.subject && r.size === size)
        if (!row || !Number.isFinite(row.ratio)) return
        const x = start + i * barWidth
        const h = plotBottom - y(row.ratio)
        const cut = row.ratio > yMax
        body.push(
          `<rect x="${fixed(x + 1)}" y="${fixed(y(row.ratio))}" width="${fixed(barWidth - 2)}" height="${fixed(h)}" fill="${s.color}"><title>${escapeXml(`${plain(s.subject)}, ${sizeLabel(size)}: ${row.ratio.toFixed(2)}×`)}</title></rect>`,
          `<text x="${fixed(x + barWidth / 2)}" y="${fixed(y(row.ratio) - 3)}" class="value" text-anchor="middle">${cut ? '↑' : ''}${row.ratio.toFixed(row.ratio < 10 ? 2 : 1)}</text>`,
        )
      })
      body.push(
        `<text x="${fixed(LEFT + g * groupWidth + groupWidth / 2)}" y="${plotBottom + 16}" class="tick" text-anchor="middle">${escapeXml(sizeLabel(size))}</text>`,
      )
    })
    body.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fixed(y(1))}" y2="${fixed(y(1))}" class="floor"/>`,
      `<text x="${WIDTH - RIGHT}" y="${fixed(y(1) - 4)}" class="tick" text-anchor="end">floor + JSON.parse = 1×</text>`,
    )
    const keys = legend(series, plotBottom + 28)
    body.push(...keys.svg, '</g>')
    top = plotBottom + 28 + keys.lines * LEGEND_LINE + GAP
  }
  if (!families || families.length === 0) {
    body.push(`<text x="${LEFT}" y="${top + 20}" class="subtitle">No verification figures in this run.</text>`)
    top += 60
  }
  const m = results.machine
  const caption = `${results.quick ? 'Quick run, ' : ''}${results.date}, ${m.cpu}, ${m.cores} cores, Node ${m.node}; bars above ${CAP}× are cut (↑).`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" role="img" aria-labelledby="chart-title">`,
    `<title id="chart-title">webhook-inbox: verification time as a ratio of createHmac/crypto.verify + JSON.parse, ours and the peers</title>`,
    '<style>text{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;fill:#111827}.title{font-size:15px;font-weight:600}.subtitle{font-size:12px;fill:#4b5563}.tick{font-size:11px;fill:#4b5563}.value{font-size:9px;fill:#374151}.legend{font-size:11px}.grid{stroke:#e5e7eb;stroke-width:1}.floor{stroke:#111827;stroke-width:1;stroke-dasharray:4 3}</style>',
    `<rect width="${WIDTH}" height="${top}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" class="title">Verify + parse, time as a multiple of the floor + JSON.parse (lower is better)</text>`,
    `<text x="${LEFT}" y="37" class="subtitle">${escapeXml(caption)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}
