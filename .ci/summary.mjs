// Prints vitest's JSON result as one closing line: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.ci/results.json'
let result
try {
  result = JSON.parse(readFileSync(file, 'utf8'))
} catch {
  console.log('tests: 0 passed, 1 failed')
  console.error(`no test results at ${file}`)
  process.exit(1)
}
const passed = result.numPassedTests ?? 0
const failed = (result.numFailedTests ?? 0) + (result.numFailedTestSuites ?? 0)
const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0)
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
