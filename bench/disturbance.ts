// CPU used by other processes while a section measures: the machine's busy time from /proc/stat
// minus this process's own (and its waited-for children's) time from /proc/self/stat. Where
// /proc is missing (macOS), nothing is recorded and nothing is marked disturbed.
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import type { Disturbance } from './results.js'

/** Linux's USER_HZ, the unit of both files (100 on every mainstream kernel build). */
const TICKS_PER_SECOND = 100

/**
 * Other processes using more than this share of one core make a measurement disturbed. On two
 * cores a neighbour at 15 % of a core already moves a µs-scale median by several percent.
 */
export const DISTURBED_ABOVE_CORES = 0.15

interface Snapshot {
  busy: number
  own: number
  at: number
}

function snapshot(): Snapshot | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const fields = cpu.trim().split(/\s+/).slice(1, 9).map(Number)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
    const self = readFileSync('/proc/self/stat', 'utf8')
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const after = self.slice(self.lastIndexOf(')') + 2).split(' ')
    // utime, stime, cutime, cstime are fields 14-17, i.e. 11-14 after the state field (index 0 = field 3).
    const own = [11, 12, 13, 14].reduce((sum, index) => sum + Number(after[index] ?? 0), 0)
    return { busy: user + nice + system + irq + softirq + steal, own, at: performance.now() }
  } catch {
    return undefined
  }
}

/** Starts watching; the returned function reads how much CPU others used since. */
export function watchOtherProcesses(): () => Disturbance {
  const start = snapshot()
  return () => {
    const end = snapshot()
    if (!start || !end) return { othersCores: Number.NaN, ownCores: Number.NaN, seconds: 0, disturbed: false }
    const seconds = (end.at - start.at) / 1000
    const span = Math.max(seconds, 1 / TICKS_PER_SECOND) * TICKS_PER_SECOND
    const own = (end.own - start.own) / span
    const others = Math.max(0, (end.busy - start.busy) / span - own)
    return {
      othersCores: round(others),
      ownCores: round(own),
      seconds: round(seconds),
      disturbed: others > DISTURBED_ABOVE_CORES,
    }
  }
}

/** The combined figure of several watches: time-weighted load, disturbed if any part was. */
export function combineDisturbances(parts: readonly Disturbance[]): Disturbance {
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0)
  if (seconds === 0) return { othersCores: Number.NaN, ownCores: Number.NaN, seconds: 0, disturbed: false }
  const weighted = (pick: (part: Disturbance) => number) =>
    round(parts.reduce((sum, part) => sum + (Number.isNaN(pick(part)) ? 0 : pick(part) * part.seconds), 0) / seconds)
  return {
    othersCores: weighted((part) => part.othersCores),
    ownCores: weighted((part) => part.ownCores),
    seconds: round(seconds),
    disturbed: parts.some((part) => part.disturbed),
  }
}

export function coreCount(): number {
  return cpus().length
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
