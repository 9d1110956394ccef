#!/usr/bin/env node
// The `webhook-inbox` executable (package.json `bin`).
import { main } from './main.js'

// `webhook-inbox sign … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`webhook-inbox: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
