import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

// The outage proofs trust this proxy to cut the store link: these tests keep it honest.

let echo: Server
let proxy: TcpProxy

beforeEach(async () => {
  echo = createServer((socket) => socket.pipe(socket))
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  const address = echo.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: address.port } })
})

afterEach(async () => {
  await proxy.close()
  await new Promise((resolve) => echo.close(resolve))
})

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Sends `text` and resolves with what comes back within `ms`, or with how the socket ended. */
function roundTrip(socket: Socket, text: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    let received = ''
    const finish = (result: string) => {
      clearTimeout(timer)
      socket.removeAllListeners('data')
      resolve(result)
    }
    const timer = setTimeout(() => finish(received === '' ? 'silence' : received), ms)
    socket.on('data', (chunk) => {
      received += chunk.toString()
      if (received === text) finish(received)
    })
    socket.once('close', () => finish(received === '' ? 'closed' : received))
    socket.once('error', () => {})
    socket.write(text)
  })
}

describe('startTcpProxy', () => {
  it('forwards both ways', async () => {
    const socket = await open()
    expect(await roundTrip(socket, 'ping')).toBe('ping')
    expect(proxy.connections).toBe(1)
    socket.destroy()
  })

  it('reset: closes live connections and refuses new ones until restored', async () => {
    const live = await open()
    expect(await roundTrip(live, 'a')).toBe('a')
    const closed = new Promise((resolve) => live.once('close', resolve))
    proxy.cut('reset')
    await closed
    expect(proxy.isCut).toBe(true)
    const refused = await open().then(
      (socket) => roundTrip(socket, 'b'),
      () => 'closed',
    )
    expect(refused).toBe('closed')
    proxy.restore()
    const again = await open()
    expect(await roundTrip(again, 'c')).toBe('c')
    again.destroy()
  })

  it('blackhole: keeps connections open but forwards nothing; restore closes the held ones', async () => {
    const live = await open()
    expect(await roundTrip(live, 'a')).toBe('a')
    proxy.cut('blackhole')
    expect(await roundTrip(live, 'b')).toBe('silence')
    const fresh = await open()
    expect(await roundTrip(fresh, 'c')).toBe('silence')
    const closed = Promise.all([live, fresh].map((s) => new Promise((resolve) => s.once('close', resolve))))
    proxy.restore()
    await closed
    const again = await open()
    expect(await roundTrip(again, 'd')).toBe('d')
    again.destroy()
  })
})
