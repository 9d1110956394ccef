// The figures one `npm run bench` records, section by section. bench/report.ts renders them to
// BENCHMARKS.md and the chart; nothing here measures.
import type { HttpBenchResult } from './report.js'

/** CPU used by other processes during one measurement (see bench/disturbance.ts). */
export interface Disturbance {
  /** Cores' worth of CPU that other processes used, on average (NaN where /proc is missing). */
  othersCores: number
  /** Cores' worth this process (and its finished children) used. */
  ownCores: number
  seconds: number
  disturbed: boolean
}

export interface Machine {
  cpu: string
  cores: number
  node: string
  os: string
  memoryGiB: number
}

/** What a verification row does, and so which floor it is a ratio of. */
export type VerifyKind =
  | 'floor'
  | 'floor-parse'
  /** Our verifier function (webhook-inbox/verifiers), no payload parsing. */
  | 'ours'
  /** Our provider preset's `verify`, which returns the parsed payload. */
  | 'ours-parse'
  /** The peer's check, which returns no payload. */
  | 'peer'
  /** The peer's check with the payload parsed (by the peer or as its user would). */
  | 'peer-parse'
  /** `handler.handle()` end to end with the memory store and a no-op enqueue. */
  | 'pipeline'

export interface VerifyRow {
  family: string
  subject: string
  kind: VerifyKind
  /** Body size in bytes. */
  size: number
  /** Median time per call over the rounds, nanoseconds. */
  medianNs: number
  /** Median over the rounds of this row's time divided by its floor's time in the same round. */
  ratio: number
  /** `floor` for rows without parsing, `floor-parse` for rows that return a parsed payload. */
  versus: 'floor' | 'floor-parse'
  /** For a peer: our subject it is compared with. */
  peerOf?: string
}

export interface VerifyBlock {
  family: string
  size: number
  rounds: number
  /** Attempts made: blocks measured while others used the CPU are measured again (full runs). */
  attempts: number
  disturbance: Disturbance
}

export interface VerifyFamily {
  family: string
  /** The scheme, e.g. 'HMAC-SHA256 of the body'. */
  scheme: string
  /** What the floor does, in words. */
  floor: string
}

export interface VerifySection {
  families: VerifyFamily[]
  sizes: number[]
  rows: VerifyRow[]
  blocks: VerifyBlock[]
  /** tinybench settings per task and round. */
  harness: string
}

export interface LatencyRow {
  group: string
  subject: string
  /** 1 = one delivery after the other; 16 = sixteen in flight. */
  concurrency: number
  n: number
  p50Ms: number
  p99Ms: number
  /** p50 / p99 minus the group's baseline row at the same concurrency, where the group has one. */
  addedP50Ms?: number
  addedP99Ms?: number
  disturbance: Disturbance
}

export interface PipelineSection {
  rows: LatencyRow[]
  /** The service URLs used, without credentials. */
  services: string[]
  /** Lines such as "skipped Redis: nothing answers at redis://127.0.0.1:6379". */
  skipped: string[]
}

export interface MemoryRow {
  /** 'baseline', 'ours' or 'peer'. */
  kind: 'baseline' | 'ours' | 'peer'
  /** The import specifier, or what ran (e.g. 'github() × 100,000'). */
  subject: string
  rssMiB: number
  heapUsedMiB: number
  /** Above the empty process's. */
  addedRssMiB: number
  addedHeapMiB: number
  disturbed: boolean
  error?: string
}

export interface MemorySection {
  rows: MemoryRow[]
  /** How our subpaths were built for the measurement. */
  build: string
  disturbance: Disturbance
}

export type SectionName = 'verify' | 'pipeline' | 'memory' | 'http'

export interface BenchResults {
  date: string
  machine: Machine
  quick: boolean
  /** The commands this run was started with, exactly. */
  commands: string[]
  /** Wall-clock seconds of the whole run. */
  seconds: number
  /** Disturbance over the whole run. */
  disturbance: Disturbance
  verify?: VerifySection
  pipeline?: PipelineSection
  memory?: MemorySection
  http?: HttpBenchResult
  /** Why a section has no figures ('not run: --only verify', 'bench/http.ts is not there yet', ...). */
  notRun: Partial<Record<SectionName, string>>
}

/** The subject names of the engines' own two-round-trip floors in the claim group (the report finds them by these). */
export const REDIS_FLOOR = 'redis floor: SET NX, then SET XX, by hand'
export const POSTGRES_FLOOR = 'postgres floor: two one-row commits, by hand'
