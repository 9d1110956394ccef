// HMAC-SHA256 per call on both crypto back ends, at typical webhook sizes. DESIGN.md picks
// node:crypto on Node because Web Crypto costs several times more per call there.
//   node --import tsx bench/crypto.ts
import { randomBytes } from 'node:crypto'
import { loadNodeCrypto, nodeCrypto, webCrypto } from '../src/crypto/index.js'

export async function benchCrypto(log: (line: string) => void = console.log): Promise<void> {
  const node = loadNodeCrypto()
  if (!node) throw new Error('node:crypto is not available')
  const backends = [nodeCrypto(node), webCrypto()]
  const key = new Uint8Array(randomBytes(32))
  log('HMAC-SHA256 per call (µs, median of 5 rounds)')
  log(`${'size'.padEnd(8)}${backends.map((b) => b.name.padStart(10)).join('')}${'web/node'.padStart(10)}`)
  for (const size of [256, 2048, 10_240, 102_400]) {
    const message = new Uint8Array(randomBytes(size))
    const iterations = size > 50_000 ? 500 : 3000
    const medians: number[] = []
    for (const backend of backends) {
      const rounds: number[] = []
      for (let round = 0; round < 5; round++) {
        const start = performance.now()
        for (let i = 0; i < iterations; i++) await backend.hmac('SHA-256', key, message)
        rounds.push(((performance.now() - start) * 1000) / iterations)
      }
      rounds.sort((a, b) => a - b)
      medians.push(rounds[2] as number)
    }
    const [nodeUs, webUs] = medians as [number, number]
    log(
      `${`${size} B`.padEnd(8)}${medians.map((m) => m.toFixed(2).padStart(10)).join('')}${(webUs / nodeUs).toFixed(1).padStart(9)}×`,
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCrypto()
