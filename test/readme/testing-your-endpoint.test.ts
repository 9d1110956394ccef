import { execFile } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
// Inside the repo, so `webhook-inbox` resolves through tsconfig paths exactly as the examples do.
const file = `${root}examples/.readme-testing-your-endpoint.tmp.ts`

afterAll(() => rmSync(file, { force: true }))

describe('README "Testing your endpoint"', () => {
  it('the sample-event and simulator snippet runs as pasted and prints what its comments say', async () => {
    const section = readme.slice(readme.indexOf('## Testing your endpoint'), readme.indexOf('## Operating the inbox'))
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
    expect(block).toBeDefined()
    writeFileSync(file, block as string)
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    )
    expect(stdout).toBe('200\n100 0 101\n')
  })
})
