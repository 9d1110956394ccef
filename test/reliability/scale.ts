// One switch for every reliability test: the short seeded run inside `npm test`, the full run
// under `npm run reliability` (RELIABILITY_FULL=1). Figures are written for RELIABILITY.md.
import { appendFileSync } from 'node:fs'

export const FULL = process.env.RELIABILITY_FULL === '1'
/** Fixed seed so that a CI failure replays; the full run may override it. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20261201)

/** `short` cases in CI, `full` under `npm run reliability`. */
export function runs(short: number, full: number): number {
  return FULL ? full : short
}

/** Records one figure for RELIABILITY.md (a JSON line per figure; no-op unless the script asked). */
export function record(property: string, figures: Record<string, string | number | boolean>): void {
  const file = process.env.RELIABILITY_FIGURES
  if (file) appendFileSync(file, `${JSON.stringify({ property, ...figures })}\n`)
}
