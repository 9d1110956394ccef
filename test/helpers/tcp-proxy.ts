import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * How a cut looks to the client: `reset` closes every live connection and refuses new ones
 * (the server went away); `blackhole` keeps connections open but forwards nothing, and new
 * connections are accepted and never answered (a partition: only timeouts notice it).
 */
export type CutMode = 'reset' | 'blackhole'

/** A loopback TCP proxy the test controls, put between a client and Redis or PostgreSQL. */
export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number
  /** Connections currently open through the proxy. */
  readonly connections: number
  /** Whether the proxy is cut now. */
  readonly isCut: boolean
  /** Cuts the link: see {@link CutMode}. @default 'reset' */
  cut(mode?: CutMode): void
  /** Forwards again; connections held by a blackhole cut are closed so that clients reconnect. */
  restore(): void
  /** Stops listening and closes every connection. Safe to call twice. */
  close(): Promise<void>
}

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where the traffic goes. */
  target: { host: string; port: number }
  /** @default 0 (a free port) */
  listenPort?: number
}

interface Link {
  client: Socket
  upstream: Socket | undefined
}

/**
 * Starts a proxy on 127.0.0.1 forwarding to `target`.
 *
 * @example
 * const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 6379 } })
 * proxy.cut()      // clients see ECONNRESET, new connections are refused
 * proxy.restore()
 * await proxy.close()
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const links = new Set<Link>()
  let mode: CutMode | undefined
  let closed = false

  function drop(link: Link): void {
    links.delete(link)
    link.client.destroy()
    link.upstream?.destroy()
  }

  function resetClient(socket: Socket): void {
    // RST rather than FIN: clients treat it as a dead server at once.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }

  const server: Server = createServer((client) => {
    client.on('error', () => {})
    if (mode === 'reset' || closed) {
      resetClient(client)
      return
    }
    const link: Link = { client, upstream: undefined }
    links.add(link)
    client.on('close', () => drop(link))
    if (mode === 'blackhole') {
      client.pause()
      return
    }
    const upstream = connect(options.target.port, options.target.host)
    link.upstream = upstream
    upstream.setNoDelay(true)
    client.setNoDelay(true)
    upstream.on('error', () => drop(link))
    upstream.on('close', () => drop(link))
    client.pipe(upstream)
    upstream.pipe(client)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port')

  return {
    port: address.port,
    get connections() {
      return links.size
    },
    get isCut() {
      return mode !== undefined
    },
    cut(how: CutMode = 'reset') {
      mode = how
      for (const link of [...links]) {
        if (how === 'reset') {
          resetClient(link.client)
          drop(link)
        } else {
          link.client.unpipe()
          link.upstream?.unpipe()
          link.client.pause()
          link.upstream?.pause()
        }
      }
    },
    restore() {
      const held = mode === 'blackhole'
      mode = undefined
      if (held) for (const link of [...links]) drop(link)
    },
    async close() {
      if (closed) return
      closed = true
      for (const link of [...links]) drop(link)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
