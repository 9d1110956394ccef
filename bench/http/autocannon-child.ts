// The autocannon load generator as a process of its own (bench/http/load.ts starts it when wrk is
// not installed): `node --import tsx bench/http/autocannon-child.ts <config.json>`. Prints one
// `ACJSON {...}` line with the LoadResult.
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { Delivery } from './deliveries.js'
import type { LoadResult } from './load.js'

interface Config {
  url: string
  connections: number
  durationSec: number
  deliveries: Delivery[]
}

const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Config
let next = 0
const started = process.hrtime.bigint()
const cpuBefore = process.cpuUsage()
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationSec,
  requests: [
    {
      method: 'POST',
      setupRequest: (request: Record<string, unknown>) => {
        const delivery = config.deliveries[next] as Delivery
        next = (next + 1) % config.deliveries.length
        return { ...request, headers: delivery.headers, body: delivery.body }
      },
    },
  ],
})
const cpu = process.cpuUsage(cpuBefore)
const summary: LoadResult = {
  requests: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  p99Ms: result.latency.p99,
  elapsedSec: Number(process.hrtime.bigint() - started) / 1e9,
  cpuSec: (cpu.user + cpu.system) / 1e6,
}
process.stdout.write(`ACJSON ${JSON.stringify(summary)}\n`)
