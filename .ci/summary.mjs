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
// vitest counts a failed test's file and each describe around it as failed suites too; a suite that
// fails with no failed test (an error in a hook or at import) still fails the run.
const failedTests = result.numFailedTests ?? 0
const failedSuites = result.numFailedTestSuites ?? 0
const failed = failedTests > 0 ? failedTests : failedSuites
const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0)
const suites = failedSuites > 0 ? ` (${failedSuites} failed suites)` : ''
console.log(`tests: ${passed} passed, ${failed} failed${suites}, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
