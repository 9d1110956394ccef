import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdapterServer } from './suite.js'

/** Listens on 127.0.0.1 port 0 and closes every connection on `close()`. */
export async function listen(server: Server): Promise<AdapterServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Splits `/hooks/in` into the mount prefix `/hooks` and the route `/in`, to exercise mounted routers. */
export function splitPath(path: string): { prefix: string; route: string } {
  const at = path.lastIndexOf('/')
  return { prefix: path.slice(0, at) || '/', route: path.slice(at) }
}
