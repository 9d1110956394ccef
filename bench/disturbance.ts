// CPU used by other processes while a section measures: the machine's busy time from /proc/stat
// minus this process's own (and its waited-for children's) time from /proc/self/stat. Where
// /proc is missing (macOS), nothing is recorded and nothing is marked disturbed.
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import type { Disturbance } from './results.js'

/** Linux's USER_HZ, the unit of both files (100 on every mainstream kernel build). */
const TICKS_PER_SECOND = 100

/**
 * Other processes using more than this share of one core make a measurement disturbed. On two
 * cores a neighbour at 15 % of a core already moves a µs-scale median by several percent.
 */
export const DISTURBED_ABOVE_CORES = 0.15

/**
 * The loopback services the pipeline section talks to (Redis, PostgreSQL, RabbitMQ's Erlang VM,
 * NATS): their CPU is part of what that section measures, not a disturbance.
 */
export const SERVICE_PROCESSES = [
  'redis-server',
  'postgres',
  'beam.smp',
  'epmd',
  'erl_child_setup',
  'inet_gethost',
  'nats-server',
]

interface Snapshot {
  busy: number
  /** irq + softirq: on this loopback-only machine, mostly the network traffic being measured. */
  interrupts: number
  own: number
  services: number
  at: number
}

/** CPU ticks of every process whose command name is in `names` (processes that end between two reads are missed). */
function ticksOf(names: readonly string[]): number {
  if (names.length === 0) return 0
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (!names.includes(name)) continue
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      total += Number(after[11] ?? 0) + Number(after[12] ?? 0)
    } catch {
      // the process ended
    }
  }
  return total
}

function snapshot(services: readonly string[]): Snapshot | undefined {
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
    return {
      busy: user + nice + system + irq + softirq + steal,
      interrupts: irq + softirq,
      own,
      services: ticksOf(services),
      at: performance.now(),
    }
  } catch {
    return undefined
  }
}

/**
 * Starts watching; the returned function reads how much CPU others used since. Processes named in
 * `services` (see {@link SERVICE_PROCESSES}) are not counted as others, and neither is interrupt
 * time then: the kernel delivers loopback packets to and from those services in softirq time,
 * which no process is charged with (it made every Redis and PostgreSQL block look disturbed).
 */
export function watchOtherProcesses(services: readonly string[] = []): () => Disturbance {
  const start = snapshot(services)
  return () => {
    const end = snapshot(services)
    if (!start || !end) return { othersCores: Number.NaN, ownCores: Number.NaN, seconds: 0, disturbed: false }
    const seconds = (end.at - start.at) / 1000
    const span = Math.max(seconds, 1 / TICKS_PER_SECOND) * TICKS_PER_SECOND
    const own = (end.own - start.own) / span
    const interrupts = services.length > 0 ? end.interrupts - start.interrupts : 0
    const others = Math.max(0, (end.busy - start.busy - interrupts - (end.services - start.services)) / span - own)
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
