import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { entries } from '../../tsup.config.js'
import { ensureBuilt } from '../edge/dist.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

beforeAll(() => {
  // CI builds before testing; a developer running `npm test` alone gets a build here.
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) {
    execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' })
  }
}, 120_000)

describe('package exports', () => {
  it('every tsup entry has an exports branch with types first, and every branch has an entry', () => {
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json')
    const fromEntries = Object.keys(entries).map((name) => (name === 'index' ? '.' : `./${name}`))
    expect(subpaths.sort()).toEqual(fromEntries.sort())
    for (const [name] of Object.entries(entries)) {
      const branch = pkg.exports[name === 'index' ? '.' : `./${name}`]
      expect(Object.keys(branch)).toEqual(['import', 'require'])
      expect(branch.import).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` })
      expect(branch.require).toEqual({ types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` })
    }
  })

  it('typesVersions maps every subpath to its CJS declarations, for moduleResolution node10', () => {
    const subpaths = Object.keys(entries).filter((name) => name !== 'index')
    expect(Object.keys(pkg.typesVersions['*']).sort()).toEqual(subpaths.sort())
    for (const name of subpaths) {
      expect(pkg.typesVersions['*'][name]).toEqual([pkg.exports[`./${name}`].require.types])
    }
  })

  it('publishes no planning tags ([MEM], [3P], ...) in its declarations', () => {
    ensureBuilt()
    const dir = new URL('../../dist/', import.meta.url)
    const tagged = readdirSync(dir)
      .filter((file) => file.endsWith('.d.ts') || file.endsWith('.d.cts'))
      .filter((file) => /\[(?:MEM|3P|DOC|SDK)\b/.test(readFileSync(new URL(file, dir), 'utf8')))
    expect(tagged).toEqual([])
  })

  it('ships no source maps', () => {
    ensureBuilt()
    const built = readdirSync(new URL('../../dist', import.meta.url))
    expect(built.length).toBeGreaterThan(20)
    expect(built.filter((file) => file.endsWith('.map'))).toEqual([])
  })

  it('keeps runtime dependencies to tiny-invariant', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['tiny-invariant'])
    for (const name of Object.keys(pkg.peerDependencies ?? {})) {
      expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true)
    }
  })

  it('loads every subpath through require() and import(), and isWebhookError works across the copies', () => {
    const output = execFileSync(process.execPath, [fileURLToPath(new URL('./load-subpaths.cjs', import.meta.url))], {
      cwd: root,
      encoding: 'utf8',
    })
    const report = JSON.parse(output)
    for (const [specifier, { cjs, esm }] of Object.entries(report.subpaths) as [
      string,
      { cjs: string[]; esm: string[] },
    ][]) {
      // ESM namespaces of CJS-free builds list the same names; `default` never appears (named exports only).
      expect(esm, specifier).not.toContain('default')
      expect(cjs, specifier).toEqual(esm)
    }
    expect(report.subpaths['webhook-inbox'].esm).toContain('createWebhookHandler')
    expect(report.subpaths['webhook-inbox/providers'].esm).toContain('stripe')
    expect(report.crossCopy).toEqual({
      cjsErrorSeenByEsm: true,
      esmErrorSeenByCjs: true,
      instanceofAcrossCopies: false,
      code: 'invalid_config',
      notAnError: false,
    })
  })
})
