// What the HTTP benchmark compares: each framework, each route on it.

export const FRAMEWORKS = ['node:http', 'fastify', 'koa', 'hono', 'express'] as const
export type Framework = (typeof FRAMEWORKS)[number]

export const ROUTES = ['bare', 'floor', 'floor-parse', 'ours', 'octokit', 'stripe-sdk'] as const
export type Route = (typeof ROUTES)[number]

/** What a benchmark server reports when asked ({ type: 'usage' } over IPC). */
export interface ServerUsage {
  type: 'usage'
  /** process.cpuUsage() of the server, µs. */
  user: number
  system: number
  /** Deliveries the `ours` route enqueued since the start. */
  enqueued: number
}
