// Bundle sizes of one Express route, one node:http route and one Hono route built against dist/, as a user's
// bundler (esbuild, minified, platform node) would produce them. Run after `npm run build`:
// `node scripts/bundle-size.mjs`. Prints one line per route and the largest inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const routes = {
  express: `import express from 'express'
import { createWebhookHandler } from 'webhook-inbox'
import { toExpress } from 'webhook-inbox/express'
import { stripe } from 'webhook-inbox/providers'
const handler = createWebhookHandler({ provider: stripe({ secret: process.env.S }), enqueue: async () => {} })
express().all('/webhooks/stripe', toExpress(handler)).listen(Number(process.env.PORT ?? 3000))
`,
  node: `import { createServer } from 'node:http'
import { createWebhookHandler } from 'webhook-inbox'
import { toNodeListener } from 'webhook-inbox/node'
import { stripe } from 'webhook-inbox/providers'
const handler = createWebhookHandler({ provider: stripe({ secret: process.env.S }), enqueue: async () => {} })
createServer(toNodeListener(handler)).listen(Number(process.env.PORT ?? 3000))
`,
  hono: `import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createWebhookHandler } from 'webhook-inbox'
import { toHono } from 'webhook-inbox/hono'
import { stripe } from 'webhook-inbox/providers'
const handler = createWebhookHandler({ provider: stripe({ secret: process.env.S }), enqueue: async () => {} })
serve({ fetch: new Hono().all('/webhooks/stripe', toHono(handler)).fetch, port: Number(process.env.PORT ?? 3000) })
`,
}

const variants = Object.keys(routes).map((name) => ({ name, route: name, alias: {} }))

const dir = mkdtempSync(join(root, 'node_modules', '.bundle-size-'))
const keep = process.argv.includes('--keep')
try {
  writeFileSync(join(dir, 'empty.cjs'), 'module.exports = {}\n')
  for (const variant of variants) {
    const { name } = variant
    const source = routes[variant.route]
    const entry = join(dir, `${variant.route}.mjs`)
    writeFileSync(entry, source)
    const alias = Object.fromEntries(Object.entries(variant.alias).map(([from]) => [from, join(dir, 'empty.cjs')]))
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: join(dir, 'out'),
      alias,
      // The usual recipe for CommonJS dependencies in an ESM bundle (Express requires Node built-ins).
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    })
    if (keep)
      for (const file of result.outputFiles)
        writeFileSync(
          join(dir, `${variant.route}${Object.keys(alias).length ? '-aliased' : ''}.bundle.mjs`),
          file.contents,
        )
    const total = result.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0)
    const byPackage = new Map()
    for (const output of Object.values(result.metafile.outputs)) {
      for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
          path.replace(/.*node_modules\/(?=.*node_modules)/, 'node_modules/'),
        )
        const pkg = match ? match[1] : 'webhook-inbox'
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput)
      }
    }
    const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6)
    console.log(
      `${name}: ${(total / 1024).toFixed(1)} kB minified in ${result.outputFiles.length} file(s); ` +
        top.map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)} kB`).join(', '),
    )
  }
} finally {
  if (keep) console.log(`bundles kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
