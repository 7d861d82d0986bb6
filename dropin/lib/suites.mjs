// The third-party suites of the drop-in check: each one is the package's own test suite as
// published on npm (installed by dropin/package-lock.json), run unchanged with the test
// runner its package.json names.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const modules = fileURLToPath(new URL('../node_modules/', import.meta.url))
const nodeTestReporter = fileURLToPath(new URL('./node-test-reporter.mjs', import.meta.url))

/**
 * @typedef {object} TestResult
 * @property {string} key the test's name, with its file where the runner gives one
 * @property {boolean} ok passed (a skipped test is not ok)
 * @property {boolean} skipped skipped or todo: left out of the comparison
 * @property {boolean} [subtestsFailed] failed only because one of its subtests failed
 * @property {string} [error] the first lines of the failure
 */

/**
 * @typedef {object} Suite
 * @property {string} name the npm package whose tests these are
 * @property {string} scope which of its tests run, and why
 * @property {string} cwd where the runner starts (the installed package's folder)
 * @property {(resultFile: string) => string[]} args node arguments of one run
 * @property {(resultFile: string) => TestResult[]} results what one run reported
 */

function installedVersion(name) {
  return JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version
}

function filesUnder(directory) {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

// fastify's test files that send requests with the global fetch, directly or through the
// helpers test/helper.js (payloadMethod) and test/input-validation.js. Its other files use
// light-my-request injection or undici's own client and would run the same on both sides.
const FETCH_USERS = /\bfetch\(|payloadMethod|input-validation/

function fastifyTestFiles(cwd) {
  return filesUnder(join(cwd, 'test'))
    .filter((file) => file.endsWith('.test.js') && FETCH_USERS.test(readFileSync(file, 'utf8')))
    .map((file) => relative(cwd, file))
    .sort()
}

function jsonLines(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
}

function nodeTestArgs(files, resultFile) {
  return [
    '--test',
    '--test-concurrency=2',
    // No --test-force-exit: it ends a file before tests that it registers late (fastify's
    // helpers register them after a server listens) have run.
    '--test-timeout=60000',
    `--test-reporter=${nodeTestReporter}`,
    `--test-reporter-destination=${resultFile}`,
    ...files,
  ]
}

function nodeTestResults(resultFile) {
  return jsonLines(resultFile).map((test) => ({
    key: `${test.file} > ${test.name}`,
    ok: test.ok,
    skipped: test.skipped,
    subtestsFailed: test.subtestsFailed,
    error: test.error,
  }))
}

/** @returns {Suite} */
function fastify() {
  const cwd = join(modules, 'fastify')
  const files = fastifyTestFiles(cwd)
  return {
    name: `fastify@${installedVersion('fastify')}`,
    scope: `node:test, the ${files.length} test files that call the global fetch`,
    cwd,
    args: (resultFile) => nodeTestArgs(files, resultFile),
    results: nodeTestResults,
  }
}

/** @returns {Suite} */
function fastifyStatic() {
  const cwd = join(modules, '@fastify', 'static')
  const files = filesUnder(join(cwd, 'test'))
    .filter((file) => file.endsWith('.test.js'))
    .map((file) => relative(cwd, file))
    .sort()
  return {
    name: `@fastify/static@${installedVersion('@fastify/static')}`,
    scope: `node:test, all ${files.length} test files (ranges, conditional requests, pre-compressed files, HEAD)`,
    cwd,
    args: (resultFile) => nodeTestArgs(files, resultFile),
    results: nodeTestResults,
  }
}

/** @returns {Suite} */
function fetchRetry() {
  const cwd = join(modules, 'fetch-retry')
  return {
    name: `fetch-retry@${installedVersion('fetch-retry')}`,
    scope:
      'mocha, test/integration (a real express server on localhost:3000; its fetch comes from ' +
      'node-fetch, which dropin/shims/node-fetch maps to the global fetch); test/unit stubs fetch',
    cwd,
    args: (resultFile) => [
      join(modules, 'mocha', 'bin', 'mocha.js'),
      'test/integration/',
      // If a test fails before the suite's last request stops its forked server, mocha would
      // wait for it; the harness ends the process group afterwards.
      '--exit',
      '--reporter',
      'json',
      '--reporter-option',
      `output=${resultFile}`,
    ],
    results: (resultFile) => {
      const report = JSON.parse(readFileSync(resultFile, 'utf8'))
      const pending = new Set(report.pending.map((test) => test.fullTitle))
      const failed = new Map(report.failures.map((test) => [test.fullTitle, test.err.message]))
      const tests = report.tests.map((test) => ({
        key: test.fullTitle,
        ok: !pending.has(test.fullTitle) && !failed.has(test.fullTitle),
        skipped: pending.has(test.fullTitle),
        error: failed.get(test.fullTitle),
      }))
      // A failing hook is reported as a failure of its own, and its tests do not run.
      const ran = new Set(tests.map((test) => test.key))
      for (const [key, error] of failed)
        if (!ran.has(key)) tests.push({ key, ok: false, skipped: false, error })
      return tests
    },
  }
}

/** @returns {Suite[]} */
export function suites() {
  return [fastify(), fastifyStatic(), fetchRetry()]
}
