// The part of autocannon's API that bench/http/autocannon-child.ts uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string
    connections: number
    duration: number
    requests: { method: string; setupRequest: (request: Record<string, unknown>) => Record<string, unknown> }[]
  }
  interface Result {
    requests: { total: number }
    latency: { p99: number }
    non2xx: number
    errors: number
    timeouts: number
  }
  function autocannon(options: Options): Promise<Result>
  export = autocannon
}
