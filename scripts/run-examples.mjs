#!/usr/bin/env node
// npm run examples — runs every examples/<name>/example.ts (or index.ts) with `node --import tsx`,
// one after the other. Fails if any exits non-zero or runs longer than 30 s. Needs `npm run build`
// first: the examples import the package by its public subpaths (webhook-inbox/express, ...).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const examples = join(root, 'examples')
const TIMEOUT_MS = 30_000

const entries = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ['example.ts', 'index.ts'].map((file) => join(examples, entry.name, file)).find(existsSync))
  .filter((file) => file !== undefined)
  .sort()

function run(file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: 'inherit' })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({ ok: false, reason: `still running after ${TIMEOUT_MS / 1000} s`, ms: Date.now() - started })
    }, TIMEOUT_MS)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const ok = code === 0
      resolve({ ok, reason: ok ? 'ok' : `exited with ${signal ?? code}`, ms: Date.now() - started })
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ ok: false, reason: error.message, ms: Date.now() - started })
    })
  })
}

if (entries.length === 0) {
  console.error('run-examples: no examples/*/example.ts or index.ts found')
  process.exit(1)
}
const failures = []
for (const file of entries) {
  const name = relative(root, file)
  console.log(`\n=== ${name} ===`)
  const result = await run(file)
  console.log(`--- ${name}: ${result.reason} (${result.ms} ms)`)
  if (!result.ok) failures.push(`${name}: ${result.reason}`)
}
if (failures.length > 0) {
  console.error(`\nrun-examples: ${failures.length} of ${entries.length} failed:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log(`\nrun-examples: all ${entries.length} examples passed`)
