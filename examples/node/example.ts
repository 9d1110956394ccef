// npm run example:node — a plain node:http server on 127.0.0.1 receives one signed GitHub delivery.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWebhookHandler, memoryStore } from 'webhook-inbox'
import { toNodeListener } from 'webhook-inbox/node'
import { github } from 'webhook-inbox/providers'
import { signGitHubRequest, toFetchRequest } from 'webhook-inbox/testing'

const secret = 'github-example-secret'
const handler = createWebhookHandler({
  provider: github({ secret }),
  store: memoryStore(),
  enqueue: async (event) => console.log(`enqueued ${event.provider} ${event.type} ${event.id}`),
})

const server = createServer(toNodeListener(handler))
server.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const { port } = server.address() as AddressInfo
const delivery = await signGitHubRequest({ secret, event: 'push', body: { ref: 'refs/heads/main' } })
const response = await fetch(toFetchRequest(delivery, `http://127.0.0.1:${port}/webhooks/github`))
console.log(response.status, await response.text())
server.close()
process.exitCode = response.status === 200 ? 0 : 1
