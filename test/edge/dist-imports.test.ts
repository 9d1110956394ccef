import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dist, ensureBuilt } from './dist.js'
import { externalImports, isNodeBuiltin } from './imports.js'

// DESIGN.md: apart from the crypto back end's run-time `process.getBuiltinModule('node:crypto')`,
// the built core, providers and verifiers (and the entries meant for edge runtimes) import no
// Node built-in. Checked on the published files, ESM and CJS, chunks included.

const EDGE_SAFE = ['index', 'providers', 'verifiers', 'testing', 'hono', 'next']
// Packages that only work on Node (raw-body read bodies before the adapters had their own
// reader): an edge-safe entry must not pull them in, not even lazily.
const NODE_ONLY_PACKAGES = new Set(['raw-body', 'iconv-lite'])

describe('the import check itself', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-imports-'))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('finds static, dynamic, re-exported and required built-ins, and ignores strings', async () => {
    writeFileSync(
      join(dir, 'entry.js'),
      [
        "import { createHash } from 'crypto'",
        "export { readFile } from 'node:fs/promises'",
        "import './chunk.cjs'",
        "const text = \"import x from 'node:http'; require('node:zlib')\"",
        "export const backend = () => process.getBuiltinModule('node:crypto')",
        "export const later = () => import('node:worker_threads')",
        'export { createHash, text }',
      ].join('\n'),
    )
    writeFileSync(join(dir, 'chunk.cjs'), "module.exports = require('stream')")
    const { imports: found } = await externalImports([join(dir, 'entry.js')], dir)
    expect(found.map(({ file, path, kind }) => `${file} ${kind} ${path}`).sort()).toEqual([
      'chunk.cjs require-call stream',
      'entry.js dynamic-import node:worker_threads',
      'entry.js import-statement crypto',
      'entry.js import-statement node:fs/promises',
    ])
    expect(found.every((each) => isNodeBuiltin(each.path))).toBe(true)
    expect(isNodeBuiltin('tiny-invariant')).toBe(false)
  })
})

describe('built edge-safe entries', () => {
  beforeAll(() => {
    ensureBuilt()
  }, 120_000)

  it.each(['js', 'cjs'])('dist/{%s}: no Node built-in or Node-only package is imported', async (extension) => {
    const entries = EDGE_SAFE.map((name) => join(dist, `${name}.${extension}`))
    const { imports, files } = await externalImports(entries, dist)
    const offending = imports.filter((each) => isNodeBuiltin(each.path) || NODE_ONLY_PACKAGES.has(each.path))
    expect(offending).toEqual([])
    // The analysis followed the entries into their shared chunks.
    expect(files.length).toBeGreaterThan(entries.length)

    // The one allowed mention: the crypto back end's run-time lookup, a string, not an import.
    const mentions = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /["'`]node:/.test(line))
        .map((line) => line.trim()),
    )
    expect(mentions.length).toBeGreaterThan(0)
    for (const line of mentions) expect(line).toMatch(/getBuiltinModule\b.*["']node:crypto["']/)
  })
})
