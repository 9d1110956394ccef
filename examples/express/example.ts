// npm run example:express — an Express app on 127.0.0.1 receives one signed GitHub delivery.
import type { AddressInfo } from 'node:net'
import express from 'express'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toExpress } from 'webhook-inbox/express'
import { github } from 'webhook-inbox/providers'
import { signGitHubRequest, toFetchRequest } from 'webhook-inbox/testing'

const secret = 'github-example-secret'
const handler = createWebhookHandler({
  provider: github({ secret }),
  store: memoryStore(),
  enqueue: async (event) => console.log(`enqueued ${event.provider} ${event.type} ${event.id}`),
})

const app = express()
// Before express.json(): the webhook route gets the raw bytes the signature covers.
app.post('/webhooks/github', toExpress(handler))
app.use(express.json())

const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo
const delivery = await signGitHubRequest({ secret, event: 'issues', body: { action: 'opened', issue: { number: 1 } } })
const response = await fetch(toFetchRequest(delivery, `http://127.0.0.1:${port}/webhooks/github`))
console.log(response.status, await response.text())
server.close()
process.exitCode = response.status === 200 ? 0 : 1
