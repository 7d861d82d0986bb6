// CI smoke test of the benchmark harness: runs compare.mjs on a tiny configuration and
// checks the SHAPE of what it prints (header, one row per client and size, numeric
// columns, zero errors). It never judges speed.
//
//   node bench/smoke.mjs            # exit 0 when the output is well-formed
//
// Extra arguments are passed on to compare.mjs (after the tiny defaults, so they win).
// HYPERHTTP_BENCH_SMOKE_CLIENTS overrides the two clients.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'

const clients = (
  process.env.HYPERHTTP_BENCH_SMOKE_CLIENTS ?? 'hyperhttp-request,undici-request'
).split(',')
const sizes = ['200 B']
const dir = mkdtempSync(path.join(os.tmpdir(), 'hyperhttp-bench-smoke-'))
const args = [
  path.join(import.meta.dirname, 'compare.mjs'),
  ...['--clients', clients.join(','), '--sizes', '200', '--requests', '300'],
  ...['--reps', '1', '--concurrency', '8', '--warmup', '50', '--timeout', '60'],
  ...['--db', path.join(dir, 'smoke.sqlite'), '--svg', path.join(dir, 'smoke.svg')],
  ...['--limit', 'off', '--protocol', 'h1', '--server', 'node'],
  ...process.argv.slice(2),
]

// Every HYPERHTTP_BENCH_* variable the user may have set is dropped: the smoke run is fixed.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('HYPERHTTP_BENCH_')),
)
const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
let stdout = ''
let stderr = ''
child.stdout.on('data', (chunk) => {
  stdout += chunk
})
child.stderr.on('data', (chunk) => {
  stderr += chunk
})
const code = await new Promise((resolve) => child.on('close', resolve))

const problems = []
if (code !== 0) problems.push(`compare.mjs exited with code ${code}`)
problems.push(...checkShape(stdout))
problems.push(...checkFiles())
rmSync(dir, { recursive: true, force: true })

if (problems.length) {
  process.stderr.write(
    `bench smoke: FAILED\n${problems.map((p) => `- ${p}`).join('\n')}\n\n--- stdout\n${stdout}\n--- stderr (tail)\n${stderr.slice(-3000)}\n`,
  )
  process.exit(1)
}
process.stdout.write(stdout)
process.stdout.write(`\nbench smoke: OK (${clients.length} clients × ${sizes.length} size)\n`)

function checkShape(text) {
  const issues = []
  const lines = text.split('\n')
  if (!/^## hyperhttp benchmark: /.test(lines[0] ?? '')) {
    issues.push('first line is not the "## hyperhttp benchmark:" title')
  }
  for (const needle of ['- Node v', 'CPU: ', 'load average', '- hyperhttp ', 'undici ']) {
    if (!text.includes(needle)) issues.push(`header lacks "${needle}"`)
  }
  const headerAt = lines.findIndex((line) => line.startsWith('| client | size | req/s |'))
  if (headerAt < 0) return [...issues, 'no table header "| client | size | req/s | ..."']
  const columns = cells(lines[headerAt])
  const expected = [
    'client',
    'size',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'CPU µs/req',
    'peak RSS MB',
    'errors',
  ]
  for (const name of expected) {
    if (!columns.includes(name)) issues.push(`table lacks column "${name}"`)
  }
  if (!/^\|(\s*-+:?\s*\|)+$/.test(lines[headerAt + 1] ?? '')) {
    issues.push('no Markdown separator line under the table header')
  }
  const rows = []
  for (let i = headerAt + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(cells(lines[i]))
  }
  const at = (row, name) => row[columns.indexOf(name)]
  for (const client of clients) {
    for (const size of sizes) {
      const matching = rows.filter(
        (row) => at(row, 'client') === client && at(row, 'size') === size,
      )
      if (matching.length !== 1) {
        issues.push(`expected one row for ${client} ${size}, found ${matching.length}`)
        continue
      }
      const row = matching[0]
      if (row.length !== columns.length) {
        issues.push(`${client} ${size}: ${row.length} cells, header has ${columns.length}`)
      }
      for (const name of ['req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU µs/req', 'peak RSS MB']) {
        const value = Number(at(row, name))
        if (!Number.isFinite(value) || value <= 0 || at(row, name) === '') {
          issues.push(`${client} ${size}: "${name}" is not a positive number (${at(row, name)})`)
        }
      }
      if (at(row, 'errors') !== '0') {
        issues.push(`${client} ${size}: errors = ${at(row, 'errors')}`)
      }
    }
  }
  if (text.includes('Failed rows:')) issues.push('the output lists failed rows')
  return issues
}

// The run was stored (one run, one ok row per client and size) and the chart written.
function checkFiles() {
  const issues = []
  try {
    const db = new DatabaseSync(path.join(dir, 'smoke.sqlite'))
    const runs = db.prepare('SELECT COUNT(*) AS n FROM runs').get().n
    const ok = db.prepare("SELECT COUNT(*) AS n FROM results WHERE status = 'ok'").get().n
    db.close()
    if (runs !== 1) issues.push(`database holds ${runs} runs, expected 1`)
    if (ok !== clients.length * sizes.length) {
      issues.push(`database holds ${ok} ok rows, expected ${clients.length * sizes.length}`)
    }
  } catch (error) {
    issues.push(`database not readable: ${error.message}`)
  }
  try {
    const svg = readFileSync(path.join(dir, 'smoke.svg'), 'utf8')
    if (!svg.startsWith('<svg ') || !svg.trimEnd().endsWith('</svg>'))
      issues.push('chart is not an SVG')
    for (const client of clients) {
      if (!svg.includes(`>${client}</text>`)) issues.push(`chart legend lacks ${client}`)
    }
  } catch (error) {
    issues.push(`chart not written: ${error.message}`)
  }
  return issues
}

function cells(line) {
  return line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim())
}
