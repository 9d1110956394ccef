import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const written: string[] = []

/** The ```ts blocks of "## Handing events to your queue", except those marked as not type-checked. */
function snippets(): string[] {
  const start = readme.indexOf('## Handing events to your queue')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  const blocks: string[] = []
  for (const match of section.matchAll(/(<!-- not type-checked[^>]*-->\n)?```ts\n([\s\S]*?)```/g)) {
    if (!match[1] && match[2]) blocks.push(match[2])
  }
  return blocks
}

afterAll(() => {
  for (const file of written) rmSync(file, { force: true })
})

describe('README: Handing events to your queue', () => {
  it('every snippet type-checks against the real client packages', () => {
    const blocks = snippets()
    expect(blocks.length).toBeGreaterThanOrEqual(6)
    // Inside the repo, so `webhook-inbox/...` resolves through tsconfig paths as in the examples.
    const files = blocks.map((block, i) => {
      const file = `${root}examples/.readme-queues-${i}.tmp.ts`
      writeFileSync(file, `${block}\nexport {}\n`)
      written.push(file)
      return file
    })
    const config = `${root}examples/.readme-queues.tmp.json`
    writeFileSync(
      config,
      JSON.stringify({ extends: '../tsconfig.json', include: files, compilerOptions: { noUnusedLocals: false } }),
    )
    written.push(config)
    const result = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '-p', config], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(result.stdout + result.stderr).toBe('')
    expect(result.status).toBe(0)
  }, 60_000)
})
