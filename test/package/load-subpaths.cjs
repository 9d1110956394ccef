// Loads every subpath of the built package by its public name, through require() and import(),
// as a user's CommonJS and ESM code would. Prints a JSON report for test/package/exports.test.ts.
const { exports: map } = require('../../package.json')

async function main() {
  const report = { subpaths: {}, crossCopy: {} }
  for (const key of Object.keys(map)) {
    if (key === './package.json') continue
    const specifier = key === '.' ? 'webhook-inbox' : `webhook-inbox/${key.slice(2)}`
    const cjs = require(specifier)
    const esm = await import(specifier)
    report.subpaths[specifier] = { cjs: Object.keys(cjs).sort(), esm: Object.keys(esm).sort() }
  }
  // An error made by one subpath's CJS copy is recognised by the root's ESM copy and vice versa.
  const { isWebhookError: isEsm, WebhookError: EsmError } = await import('webhook-inbox')
  const { isWebhookError: isCjs } = require('webhook-inbox')
  let cjsError
  try {
    require('webhook-inbox/providers').stripe({ secret: [] })
  } catch (error) {
    cjsError = error
  }
  let esmError
  try {
    ;(await import('webhook-inbox/providers')).github({ secret: '' })
  } catch (error) {
    esmError = error
  }
  report.crossCopy = {
    cjsErrorSeenByEsm: isEsm(cjsError),
    esmErrorSeenByCjs: isCjs(esmError),
    instanceofAcrossCopies: cjsError instanceof EsmError,
    code: cjsError?.code,
    notAnError: isEsm(new Error('x')) || isCjs({ code: 'invalid_config' }),
  }
  process.stdout.write(JSON.stringify(report))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
