// npm run example:cli — the example endpoint (examples/cli/server.ts) fails the first attempt of
// every event; `webhook-inbox simulate` delivers 200 Stripe events to it with duplicates,
// reordering and cut connections, on Stripe's retry schedule compressed 1000 times.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startExampleServer } from './server.js'

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))
const server = await startExampleServer({ secret: 'whsec_example', failFirst: 1 })
const args = [
  'simulate',
  '--provider=stripe',
  '--secret=whsec_example',
  `--url=${server.url}/webhooks/stripe`,
  '--events=200',
  '--concurrency=20',
  '--duplicates=0.3',
  '--reorder',
  '--fail-connection=0.05',
  '--retry-schedule=fast',
]
console.log(`$ webhook-inbox ${args.join(' ')}`)
const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit' })
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
const counts = [...server.enqueued.values()]
console.log(`server: ${counts.length} events enqueued, ${counts.filter((n) => n > 1).length} more than once`)
await server.close()
process.exitCode = code === 0 && counts.length === 200 && counts.every((n) => n === 1) ? 0 : 1
