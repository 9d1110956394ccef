import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

// The ```ts blocks of "Processing after the 200" are code: each is type-checked against the
// sources, with the repository's compiler options, as a module of its own.
const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const start = readme.indexOf('## Processing after the 200')
const end = readme.indexOf('\n## ', start + 1)
const section = readme.slice(start, end)
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string)
const files = blocks.map((_, i) => `${root}examples/.readme-inbox-${i}.tmp.ts`)

afterAll(() => {
  for (const file of files) rmSync(file, { force: true })
})

describe('README "Processing after the 200"', () => {
  it('has its snippets, and every one type-checks', () => {
    expect(start).toBeGreaterThan(0)
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    blocks.forEach((block, i) => {
      writeFileSync(files[i] as string, block)
    })
    const config = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile)
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
    const program = ts.createProgram(files, { ...parsed.options, noEmit: true })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(d.file.fileName))
      .map((d) => `${d.file?.fileName.split('/').at(-1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    expect(problems).toEqual([])
  }, 60_000)
})
