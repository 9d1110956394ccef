// npm run example:next — builds this Next.js 16 app, starts it on 127.0.0.1 (a free port), and
// sends signed deliveries to its three routes: App Router on Node.js (Stripe), App Router on
// Edge (Stripe) and Pages Router (GitHub). Needs `npm run build` at the repository root first.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
// This folder is its own package, so the runner takes the signers from the built files.
import { signGitHubRequest, signStripeRequest, toFetchRequest } from '../../dist/testing.js'

const app = fileURLToPath(new URL('.', import.meta.url))
const next = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url))
const env = {
  ...process.env,
  STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? `whsec_${randomBytes(16).toString('hex')}`,
  GITHUB_WEBHOOK_SECRET: process.env.GITHUB_WEBHOOK_SECRET ?? randomBytes(16).toString('hex'),
  NEXT_TELEMETRY_DISABLED: '1',
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [next, 'build'], { cwd: app, env, stdio: 'inherit' })
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}`))))
  })
}

function start(): Promise<{ server: ChildProcess; base: string }> {
  return new Promise((resolve, reject) => {
    const server = spawn(process.execPath, [next, 'start', '--hostname', '127.0.0.1', '--port', '0'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    server.stdout?.on('data', (chunk) => {
      output += chunk
      const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
      if (port && output.includes('Ready')) resolve({ server, base: `http://127.0.0.1:${port}` })
    })
    server.once('exit', (code) => reject(new Error(`next start exited ${code}:\n${output}`)))
  })
}

await build()
const { server, base } = await start()
let failed = false
try {
  const stripeDelivery = await signStripeRequest({
    secret: env.STRIPE_WEBHOOK_SECRET,
    body: { id: `evt_next_${randomBytes(4).toString('hex')}`, object: 'event', type: 'invoice.paid' },
  })
  const githubDelivery = await signGitHubRequest({
    secret: env.GITHUB_WEBHOOK_SECRET,
    event: 'issues',
    body: { action: 'opened' },
  })
  for (const [path, delivery] of [
    ['/api/webhooks/stripe', stripeDelivery],
    ['/api/edge', stripeDelivery],
    ['/api/webhooks/github', githubDelivery],
  ] as const) {
    const response = await fetch(toFetchRequest(delivery, base + path))
    console.log(`POST ${path} → ${response.status} ${await response.text()}`)
    failed ||= response.status !== 200
  }
} finally {
  server.removeAllListeners('exit')
  server.kill('SIGTERM')
}
process.exitCode = failed ? 1 : 0
