// npm run demo:inbox — the durable inbox on SQLite, in one process: a node:http server accepts
// signed Stripe-style deliveries into a SQLite file (200 only once each row is committed), then a
// worker processes them after the 200: one failure is retried, one event goes dead after its
// attempts, is replayed once the bug is "fixed", and is done. Exits 0 when every step is right.
import { rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createInboxWorker, createWebhookHandler } from 'webhook-inbox'
import { toNodeListener } from 'webhook-inbox/node'
import { stripe } from 'webhook-inbox/providers'
import { sqliteInbox } from 'webhook-inbox/sqlite'
import { signStripeRequest } from 'webhook-inbox/testing'

const secret = 'whsec_demo_inbox'
const file = join(tmpdir(), `webhook-inbox-demo-${process.pid}.db`)
const database = new Database(file)
const inbox = sqliteInbox({ database })
const handler = createWebhookHandler({ provider: stripe({ secret }), inbox })

const server = createServer(toNodeListener(handler))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`
const checks: boolean[] = []
function check(label: string, ok: boolean, detail = ''): void {
  checks.push(ok)
  console.log(`${ok ? 'ok ' : 'BAD'} ${label}${detail ? `: ${detail}` : ''}`)
}

async function send(id: string, type: string): Promise<string> {
  const signed = await signStripeRequest({ secret, body: { id, object: 'event', type, data: { object: {} } } })
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: signed.body as string,
  })
  return `${response.status} ${await response.text()}`
}

console.log(`webhook-inbox inbox demo: POST ${url}, SQLite file ${file}\n`)
for (const [id, type] of [
  ['evt_paid', 'invoice.paid'],
  ['evt_flaky', 'customer.updated'],
  ['evt_buggy', 'charge.refunded'],
]) {
  const answer = await send(id as string, type as string)
  check(`accepted ${id}`, answer.startsWith('200') && !answer.includes('duplicate'), answer)
}
const again = await send('evt_paid', 'invoice.paid')
check('the same delivery again is a duplicate', again.includes('"duplicate":true'), again)
console.log(`  stats after receiving: ${JSON.stringify(await inbox.stats())}\n`)

let refundsFixed = false
let flakyAttempts = 0
const worker = createInboxWorker({
  inbox,
  retry: { maxAttempts: 3, backoffMs: () => 0 }, // no waiting in a demo
  onDead: ({ event, attempts, error }) =>
    console.log(`  dead: ${event.id} after ${attempts} attempts (${error.message})`),
  process: async (event, { attempt }) => {
    if (event.id === 'evt_flaky' && ++flakyAttempts === 1) throw new Error('the CRM timed out')
    if (event.type === 'charge.refunded' && !refundsFixed) throw new Error('refund handler has a bug')
    console.log(`  processed ${event.id} (${event.type}) on attempt ${attempt}`)
  },
})
await worker.drain()
const flaky = await inbox.get('stripe:evt_flaky')
check(
  'a failed attempt was retried and then done',
  flaky?.state === 'done' && flaky.attempts === 2,
  `attempts ${flaky?.attempts}`,
)
const buggy = await inbox.get('stripe:evt_buggy')
check(
  'the always-failing event is dead after 3 attempts',
  buggy?.state === 'dead' && buggy.attempts === 3,
  `${buggy?.state}, last error ${JSON.stringify(buggy?.lastError)}`,
)
console.log(`  stats: ${JSON.stringify(await inbox.stats())}\n`)

refundsFixed = true
const replayed = await inbox.replay('stripe:evt_buggy')
check('replay sends the dead event back to pending', replayed === 1)
await worker.drain()
const fixed = await inbox.get('stripe:evt_buggy')
check('the replayed event is done', fixed?.state === 'done' && fixed.replays === 1, `replays ${fixed?.replays}`)
const verified = await inbox.verify('stripe:evt_buggy', stripe({ secret }))
check('the stored raw bytes still carry a valid signature', verified.ok)
const stats = await inbox.stats()
console.log(`  stats: ${JSON.stringify(stats)}`)
check('every event done exactly once', stats.done === 3 && stats.dead === 0 && stats.pending === 0)

server.close()
database.close()
for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
const ok = checks.every(Boolean)
console.log(ok ? '\ndemo passed' : '\ndemo FAILED')
process.exit(ok ? 0 : 1)
