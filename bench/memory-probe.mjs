// One memory measurement in a fresh process (started by bench/memory.ts with --expose-gc):
//   node --expose-gc bench/memory-probe.mjs '{"import":"<specifier or file URL>"}'
//   node --expose-gc bench/memory-probe.mjs '{"verify":"github"|"octokit"|"stripe"|"stripe-sdk","count":100000,"ours":"<file URL of providers.js>"}'
// Prints one JSON line: { rss, heapUsed } in bytes, after two full collections.
// Plain JavaScript, so that no TypeScript loader is counted.
import { createHmac } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const task = JSON.parse(process.argv[2] ?? '{}')
const SECRET = 'bench-memory-secret'

function body(i) {
  const items = Array.from({ length: 20 }, (_, n) => ({
    id: `li_${n}`,
    amount: 1000 + n,
    description: `Line item ${n}`,
  }))
  return Buffer.from(JSON.stringify({ id: `evt_${i}`, object: 'event', type: 'invoice.paid', data: { items } }))
}

async function verifications() {
  const count = task.count ?? 100_000
  const payload = body(1)
  const hex = createHmac('sha256', SECRET).update(payload).digest('hex')
  const t = String(Math.floor(Date.now() / 1000))
  const stripeHeader = `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.`).update(payload).digest('hex')}`
  let run
  if (task.verify === 'github' || task.verify === 'stripe') {
    const providers = await import(task.ours)
    const preset =
      task.verify === 'github' ? providers.github({ secret: SECRET }) : providers.stripe({ secret: SECRET })
    const headers =
      task.verify === 'github'
        ? { 'x-hub-signature-256': `sha256=${hex}`, 'x-github-delivery': 'd1', 'x-github-event': 'issues' }
        : { 'stripe-signature': stripeHeader }
    const request = { method: 'POST', url: 'https://example.test/webhooks', headers, body: payload }
    run = async () => {
      if (!(await preset.verify(request, { now: Date.now() })).ok) throw new Error('refused')
    }
  } else if (task.verify === 'octokit') {
    const { verify } = await import('@octokit/webhooks-methods')
    run = async () => {
      const text = payload.toString('utf8')
      if (!(await verify(SECRET, text, `sha256=${hex}`))) throw new Error('refused')
      JSON.parse(text)
    }
  } else if (task.verify === 'stripe-sdk') {
    const Stripe = require('stripe')
    const sdk = new Stripe('sk_test_bench').webhooks
    run = async () => sdk.constructEvent(payload, stripeHeader, SECRET)
  } else throw new Error(`unknown verification ${task.verify}`)
  for (let i = 0; i < count; i++) await run()
}

if (task.import) await import(task.import)
if (task.verify) await verifications()
globalThis.gc?.()
await new Promise((resolve) => setImmediate(resolve))
globalThis.gc?.()
const usage = process.memoryUsage()
process.stdout.write(`${JSON.stringify({ rss: usage.rss, heapUsed: usage.heapUsed })}\n`)
