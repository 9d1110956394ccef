// npm run demo — a tour in one process: a node:http server on 127.0.0.1 receives a signed
// Stripe-style delivery, the same delivery again, a forged one and a stale one, and prints
// each answer and what reached `enqueue`. Exits 0 when every answer is the expected one.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWebhookHandler, memoryStore, type WebhookEvent } from 'webhook-inbox'
import { stripe } from 'webhook-inbox/providers'
import { signStripeRequest } from 'webhook-inbox/testing'

const secret = 'whsec_demo_secret'
const queue: WebhookEvent[] = []

const handler = createWebhookHandler({
  provider: stripe({ secret }),
  store: memoryStore(),
  enqueue: async (event) => {
    queue.push(event) // your queue: BullMQ, SQS, a database table...
  },
  onRejected: ({ error }) => console.log(`  onRejected: ${error.code}`),
})

// The smallest possible bridge from node:http; webhook-inbox/node ships a complete one.
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const answer = await handler.handle({
    method: req.method ?? 'GET',
    url: `http://${req.headers.host}${req.url}`,
    headers: req.headers,
    body: Buffer.concat(chunks),
  })
  res.writeHead(answer.status, answer.headers).end(answer.body)
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`

async function send(label: string, request: Awaited<ReturnType<typeof signStripeRequest>>, expected: number) {
  const response = await fetch(url, {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body: request.body as string,
  })
  const text = await response.text()
  const mark = response.status === expected ? 'ok ' : 'BAD'
  console.log(`${mark} ${label.padEnd(34)} → ${response.status} ${text}`)
  return response.status === expected
}

const event = { id: 'evt_demo_1', object: 'event', type: 'invoice.paid', data: { object: { amount_paid: 4200 } } }
const signed = await signStripeRequest({ secret, body: event })
const forged = { ...signed, body: JSON.stringify({ ...event, data: { object: { amount_paid: 1 } } }) }
const stale = await signStripeRequest({ secret, body: { ...event, id: 'evt_demo_2' }, now: Date.now() - 10 * 60_000 })

console.log(`webhook-inbox demo: POST ${url}\n`)
const results = [
  await send('signed delivery', signed, 200),
  await send('the same delivery again (a retry)', signed, 200),
  await send('forged body, original signature', forged, 401),
  await send('signed 10 minutes ago (replay)', stale, 401),
]
console.log(`\nevents that reached enqueue: ${queue.length}`)
for (const e of queue) console.log(`  ${e.provider}:${e.id} ${e.type} received ${e.receivedAt}`)

server.close()
const ok = results.every(Boolean) && queue.length === 1
console.log(ok ? '\ndemo passed' : '\ndemo FAILED')
process.exit(ok ? 0 : 1)
