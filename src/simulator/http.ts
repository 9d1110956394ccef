// One HTTP attempt over node:http / node:https, so that a connection can be cut in the middle of
// the body (fetch cannot do that), with a deadline like the provider's.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { utf8 } from '../crypto/encoding.js'
import type { WebhookRequest } from '../types.js'

/** The outcome of one attempt. */
export type AttemptResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'dropped'; latencyMs: number }
  | { kind: 'error'; message: string; code?: string; latencyMs: number }

/** Keep-alive agents for one run; `close()` ends their sockets. */
export interface Connections {
  http: HttpAgent
  https: HttpsAgent
  close(): void
}

/** Pooled connections, at most `maxSockets` per host. */
export function connections(maxSockets: number): Connections {
  const http = new HttpAgent({ keepAlive: true, maxSockets })
  const https = new HttpsAgent({ keepAlive: true, maxSockets })
  return {
    http,
    https,
    close() {
      http.destroy()
      https.destroy()
    },
  }
}

function flatHeaders(headers: WebhookRequest['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name] = value
    })
    return out
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = typeof value === 'string' ? value : [...value]
  }
  return out
}

/**
 * Sends `request` once. With `dropMidBody`, announces the full `Content-Length`, writes half of the
 * body and destroys the socket, as a provider whose connection breaks does.
 */
export function sendAttempt(
  request: WebhookRequest,
  options: { connections: Connections; timeoutMs: number; dropMidBody?: boolean },
): Promise<AttemptResult> {
  const started = performance.now()
  const elapsed = () => performance.now() - started
  const url = new URL(request.url)
  const body = typeof request.body === 'string' ? utf8(request.body) : request.body
  const secure = url.protocol === 'https:'
  const send = secure ? httpsRequest : httpRequest
  return new Promise((resolve) => {
    let settled = false
    const finish = (result: AttemptResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const req = send(url, {
      method: request.method,
      headers: { ...flatHeaders(request.headers), 'content-length': String(body.byteLength) },
      agent: secure ? options.connections.https : options.connections.http,
    })
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', latencyMs: elapsed() })
      req.destroy()
    }, options.timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'error', message: error.message, code: error.code, latencyMs: elapsed() })
    })
    req.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', (error) => finish({ kind: 'error', message: error.message, latencyMs: elapsed() }))
      response.on('end', () =>
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          latencyMs: elapsed(),
        }),
      )
    })
    if (options.dropMidBody) {
      req.flushHeaders()
      req.write(body.subarray(0, Math.floor(body.byteLength / 2)), () => {
        finish({ kind: 'dropped', latencyMs: elapsed() })
        req.destroy()
      })
      return
    }
    req.end(body)
  })
}
