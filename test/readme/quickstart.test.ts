import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { signStripeRequest } from '../../src/testing/index.js'
import { freePort } from '../helpers/free-port.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
// Inside the repo, so `webhook-inbox` resolves through tsconfig paths exactly as the examples do.
const file = `${root}examples/.readme-quickstart.tmp.ts`

function quickstartBlock(): string {
  const section = readme.slice(readme.indexOf('## Quickstart'))
  const match = /```ts\n([\s\S]*?)```/.exec(section)
  if (!match?.[1]) throw new Error('README has no ```ts block under ## Quickstart')
  return match[1]
}

let child: ChildProcess | undefined
afterAll(() => {
  child?.kill('SIGKILL')
  rmSync(file, { force: true })
})

describe('README quickstart', () => {
  it('works when pasted: says where it listens, answers GET 405, receives a signed Stripe delivery, then its duplicate, and refuses a forged one', async () => {
    writeFileSync(file, quickstartBlock())
    const port = await freePort()
    const secret = 'whsec_readme_quickstart'
    let output = ''
    child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, PORT: String(port), STRIPE_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (chunk) => {
      output += chunk
    })
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    const url = `http://127.0.0.1:${port}/webhooks/stripe`
    for (let attempt = 0; !output.includes(`receiving Stripe webhooks on ${url}`); attempt++) {
      if (attempt > 300 || child.exitCode !== null) throw new Error(`quickstart did not start:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // app.all: another method gets the handler's 405 + Allow, not Express's HTML 404.
    const get = await fetch(url)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    const request = await signStripeRequest({ secret, body: { id: 'evt_quickstart', type: 'invoice.paid' } })
    const post = (body = request.body as string) =>
      fetch(url, { method: 'POST', headers: request.headers as Record<string, string>, body })
    const first = await post()
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ ok: true, id: 'evt_quickstart' })
    expect((await (await post()).json()).duplicate).toBe(true)
    expect((await post('{"id":"evt_quickstart","type":"forged"}')).status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(output).toContain('queued evt_quickstart invoice.paid')
    expect(output.match(/queued /g)).toHaveLength(1)
  }, 60_000)
})
