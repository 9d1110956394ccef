import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url))
/** The build output the package publishes. */
export const dist = join(root, 'dist')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

function isBuilt(): boolean {
  return existsSync(join(dist, 'index.js')) && existsSync(join(dist, 'next.js'))
}

/**
 * Makes sure dist/ holds a build (CI builds before testing, so there this is a check). A
 * missing build is made here, under a lock so that two test files do not build at once. A
 * build older than src/ is only reported: rebuilding it (tsup empties dist/ first) would break
 * other test files reading dist/ at the same moment. Run `npm run build` to refresh it.
 */
export function ensureBuilt(): void {
  if (isBuilt()) {
    if (statSync(join(dist, 'index.js')).mtimeMs < newestSource(join(root, 'src'))) {
      console.warn(
        '[webhook-inbox tests] dist/ is older than src/: these tests check the last build; run `npm run build`.',
      )
    }
    return
  }
  const lock = join(root, 'node_modules', '.cache', 'webhook-inbox-build.lock')
  mkdirSync(join(lock, '..'), { recursive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // A lock left by a killed run is older than any build takes.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (Date.now() > deadline || age > 120_000) {
        rmSync(lock, { recursive: true, force: true })
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
  }
  try {
    if (!isBuilt()) {
      execFileSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
        cwd: root,
        stdio: 'pipe',
      })
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
