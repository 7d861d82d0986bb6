// npm run test:dropin: runs third-party test suites (installed from npm at the versions pinned
// in dropin/package-lock.json) twice, once on Node's own fetch and once with
// `--import hyperhttp/register` (this checkout's dist/), and compares the two.
// Exits non-zero when hyperhttp passes a test that Node's fetch passes and fails it, unless
// dropin/known-differences.json lists that test with a reason.
//
//   node dropin/run.mjs [--suite NAME]
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = fileURLToPath(new URL('.', import.meta.url))
const register = fileURLToPath(new URL('../dist/esm/register.js', import.meta.url))
const probe = fileURLToPath(new URL('./lib/fetch-probe.mjs', import.meta.url))
// A run that takes longer has hung (both runs of all the suites take about two minutes).
const RUN_DEADLINE_MS = 10 * 60_000

const MODES = [
  { name: 'Node fetch', preload: [probe] },
  { name: 'hyperhttp', preload: [register, probe] },
]

/** Installs dropin/node_modules from the lock file unless the installed tree matches it. */
function installSuites() {
  const lock = readFileSync(join(here, 'package-lock.json'))
  const digest = createHash('sha256').update(lock).digest('hex')
  const stamp = join(here, 'node_modules', '.dropin-lock-sha256')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return
  console.log('installing the suites: npm ci --prefix dropin')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const install = spawnSync(npm, ['ci', '--prefix', here, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  })
  if (install.status !== 0) throw new Error(`npm ci --prefix dropin exited with ${install.status}`)
  writeFileSync(stamp, digest)
}

/** Runs one suite in one mode; resolves with the suite's results and the probe's records. */
async function runSuite(suite, mode, workDir) {
  const resultFile = join(workDir, 'results')
  const probeDir = join(workDir, 'probe')
  mkdirSync(probeDir)
  const env = { ...process.env, DROPIN_PROBE_DIR: probeDir }
  env.NODE_OPTIONS = mode.preload.map((file) => `--import=${pathToFileURL(file).href}`).join(' ')
  const child = spawn(process.execPath, suite.args(resultFile), {
    cwd: suite.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const deadline = setTimeout(() => endGroup(child.pid), RUN_DEADLINE_MS)
  const code = await new Promise((resolve) => child.on('close', resolve))
  clearTimeout(deadline)
  endGroup(child.pid)
  if (!existsSync(resultFile)) {
    throw new Error(`${suite.name} on ${mode.name} wrote no results (exit ${code}):\n${output}`)
  }
  const processes = readdirSync(probeDir).map((file) =>
    JSON.parse(readFileSync(join(probeDir, file), 'utf8')),
  )
  return { tests: suite.results(resultFile), processes }
}

/** Ends what a run left behind (a server forked by the suite would hold its port). */
function endGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch (error) {
    if (error.code !== 'ESRCH') throw error
  }
}

/** Per test key: how many times it ran and passed (a key can repeat: shared helper tests). */
function tally(tests) {
  const byKey = new Map()
  for (const test of tests) {
    if (test.skipped) continue
    const entry = byKey.get(test.key) ?? { runs: 0, passes: 0, errors: [], ownFailures: 0 }
    entry.runs += 1
    if (test.ok) entry.passes += 1
    else {
      if (!test.subtestsFailed) entry.ownFailures += 1
      if (test.error !== undefined) entry.errors.push(test.error)
    }
    byKey.set(test.key, entry)
  }
  return byKey
}

function count(byKey, field) {
  let total = 0
  for (const entry of byKey.values()) total += entry[field]
  return total
}

const notRun = { runs: 0, passes: 0, errors: ['did not run'], ownFailures: 0 }

/** Checks that every process of the run had the fetch that the mode says. */
function probeProblem(mode, processes) {
  const wantHyperhttp = mode.preload.includes(register)
  if (processes.length === 0) return 'no process reported which fetch it had'
  const wrong = processes.filter((record) => record.hyperhttp !== wantHyperhttp).length
  if (wrong === 0) return undefined
  const had = wantHyperhttp ? "Node's fetch" : "hyperhttp's fetch"
  return `${wrong} of ${processes.length} processes had ${had}`
}

/**
 * Lists the tests that hyperhttp passes fewer times than Node's fetch, each with its known
 * difference if one is listed; adds what is not explained to `problems`.
 */
function compare(suite, onNode, onHyperhttp, known, problems) {
  // A suite that cannot run here (a busy port, a missing dependency) fails on both sides
  // alike; that must not read as "hyperhttp passes as much as Node's fetch".
  if (count(onNode, 'passes') === 0) problems.push(`${suite.name} passed nothing on Node fetch`)
  for (const [key, node] of onNode) {
    if (node.passes < node.runs && node.errors.length > 0 && node.ownFailures > 0) {
      console.log(`  fails on Node fetch too (not compared): ${key}\n      ${node.errors[0]}`)
    }
  }
  const regressions = []
  for (const [key, node] of onNode) {
    const hyperhttp = onHyperhttp.get(key) ?? notRun
    if (hyperhttp.passes >= node.passes) continue
    // A parent that failed only through its subtests: those subtests are listed themselves.
    if (hyperhttp.ownFailures === 0 && hyperhttp.runs >= node.runs) continue
    const allowed = known.find(
      (entry) => suite.name.startsWith(`${entry.suite}@`) && entry.test === key,
    )
    regressions.push({ key, errors: hyperhttp.errors, allowed })
  }
  for (const regression of regressions) {
    const why = regression.allowed
      ? `known difference: ${regression.allowed.reason}`
      : regression.errors[0]
    console.log(`  FAILS ON HYPERHTTP ONLY: ${regression.key}\n      ${why ?? ''}`)
    if (!regression.allowed) problems.push(`${suite.name}: ${regression.key}`)
  }
  for (const entry of known) {
    const applies = suite.name.startsWith(`${entry.suite}@`)
    if (applies && !regressions.some((regression) => regression.allowed === entry)) {
      console.log(`  note: known difference no longer seen, remove it: ${entry.test}`)
    }
  }
  return regressions
}

function loadKnownDifferences() {
  const entries = JSON.parse(readFileSync(join(here, 'known-differences.json'), 'utf8'))
  for (const entry of entries) {
    if (typeof entry.suite !== 'string' || typeof entry.test !== 'string' || !entry.reason) {
      throw new Error(
        `known-differences.json: each entry needs suite, test and reason: ${JSON.stringify(entry)}`,
      )
    }
  }
  return entries
}

function printTable(rows) {
  const header = [
    'suite',
    'tests',
    'pass on Node fetch',
    'pass on hyperhttp',
    'failing on hyperhttp only',
  ]
  const lines = [header, header.map(() => '---'), ...rows.map((row) => row.cells)]
  console.log(`\n${lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n')}\n`)
}

async function main() {
  const { values } = parseArgs({ options: { suite: { type: 'string' } } })
  if (!existsSync(register)) {
    throw new Error(`${register} is missing: build hyperhttp first (npm run build:ts)`)
  }
  installSuites()
  // Imported after the install: the suite list reads the installed packages.
  const { suites } = await import('./lib/suites.mjs')
  const chosen = suites().filter(
    (suite) => values.suite === undefined || suite.name.startsWith(values.suite),
  )
  if (chosen.length === 0) throw new Error(`no suite matches ${values.suite}`)
  const known = loadKnownDifferences()
  const workRoot = mkdtempSync(join(tmpdir(), 'hyperhttp-dropin-'))
  const rows = []
  const problems = []
  try {
    for (const suite of chosen) {
      console.log(`${suite.name}: ${suite.scope}`)
      const runs = []
      for (const mode of MODES) {
        const started = performance.now()
        const workDir = join(workRoot, `${rows.length}-${runs.length}`)
        mkdirSync(workDir)
        const run = await runSuite(suite, mode, workDir)
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        console.log(
          `  on ${mode.name}: ${run.tests.length} results in ${seconds} s, ${run.processes.length} processes`,
        )
        const problem = probeProblem(mode, run.processes)
        if (problem !== undefined) problems.push(`${suite.name} on ${mode.name}: ${problem}`)
        runs.push(tally(run.tests))
      }
      const [onNode, onHyperhttp] = runs
      const regressions = compare(suite, onNode, onHyperhttp, known, problems)
      const names = regressions.map((r) => (r.allowed ? `${r.key} (known)` : r.key))
      rows.push({
        cells: [
          suite.name,
          String(count(onNode, 'runs')),
          String(count(onNode, 'passes')),
          String(count(onHyperhttp, 'passes')),
          names.length === 0 ? 'none' : names.join('<br>'),
        ],
      })
    }
  } finally {
    rmSync(workRoot, { recursive: true, force: true })
  }
  printTable(rows)
  if (problems.length > 0) {
    console.log(
      `drop-in check FAILED (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    )
    process.exitCode = 1
  } else {
    console.log(
      'drop-in check passed: hyperhttp passes every test that Node fetch passes (known differences aside)',
    )
  }
}

await main()
