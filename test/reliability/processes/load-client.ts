// The client side of the load run, in its own process: an open-loop sender at a fixed rate
// (request i leaves at start + i / rate whatever the earlier answers did, so a slow server shows
// as latency, not as a lower rate). Latency is measured from the scheduled time.
import { Agent, request } from 'node:http'
import { signStripeRequest } from '../../../src/testing/index.js'

export interface LoadClientConfig {
  url: string
  secret: string
  rate: number
  seconds: number
  /** Ids are `<prefix><n>`; each request is a distinct event. */
  idPrefix: string
}

export interface LoadResult {
  sent: number
  ok: number
  /** Non-2xx answers and connection errors, by status or error code. */
  failures: Record<string, number>
  p50: number
  p99: number
  max: number
  /** Requests per second achieved. */
  achievedRate: number
}

export type LoadClientMessage = { type: 'done'; result: LoadResult } | { type: 'fatal'; message: string }

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LOAD_CLIENT ?? '') as LoadClientConfig
  const total = Math.round(config.rate * config.seconds)
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  // Signed up front (Stripe's tolerance is 5 minutes), so that signing does not slow the sender.
  const now = Date.now()
  const requests = await Promise.all(
    Array.from({ length: total }, (_, i) =>
      signStripeRequest({
        secret: config.secret,
        url: config.url,
        now,
        body: { id: `${config.idPrefix}${i}`, object: 'event', type: 'invoice.paid', data: { object: { n: i } } },
      }),
    ),
  )
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  let ok = 0
  let finished = 0
  const start = performance.now() + 20
  const interval = 1000 / config.rate
  let next = 0
  await new Promise<void>((resolve) => {
    const fire = (i: number) => {
      const signed = requests[i] as (typeof requests)[number]
      const scheduled = start + i * interval
      const body = signed.body as string
      const done = (outcome: string | undefined) => {
        latencies.push(performance.now() - scheduled)
        if (outcome === undefined) ok++
        else failures[outcome] = (failures[outcome] ?? 0) + 1
        if (++finished === total) resolve()
      }
      const req = request(config.url, {
        method: 'POST',
        agent,
        headers: { ...(signed.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) },
      })
      req.on('response', (response) => {
        response.resume()
        response.on('end', () => done(response.statusCode === 200 ? undefined : String(response.statusCode)))
      })
      req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'))
      req.end(body)
    }
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1)
      while (next < due) fire(next++)
      if (next < total) setTimeout(tick, 1)
    }
    setTimeout(tick, 20)
  })
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const round = (ms: number) => Math.round(ms * 10) / 10
  agent.destroy()
  process.send?.({
    type: 'done',
    result: {
      sent: total,
      ok,
      failures,
      p50: round(percentile(latencies, 0.5)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies.at(-1) ?? 0),
      achievedRate: Math.round(total / elapsed),
    },
  } satisfies LoadClientMessage)
}

main().catch((error: unknown) => {
  process.send?.({ type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
