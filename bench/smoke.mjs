// CI smoke test of the benchmark harness: runs compare.mjs twice on tiny configurations and
// checks the SHAPE of what it prints (header, one row per client and workload, numeric
// columns, zero errors) and stores. It never judges speed.
//
//   1. the local run: the node server started by compare.mjs, GET 200 B, 300 requests, two
//      repetitions taken in rounds (two processes per client, one row each), with
//      HYPERHTTP_WORKER_THREADS=2 (printed and stored with the run);
//   2. the --url run: a loopback server this script starts, named with --url, POST /echo
//      with a --body, time-boxed with --duration 1;
//   3. a misspelt flag, refused with a sentence (exit code 2).
//
//   node bench/smoke.mjs            # exit 0 when the output is well-formed
//
// Extra arguments are passed on to the first compare.mjs run (after the tiny defaults, so
// they win). HYPERHTTP_BENCH_SMOKE_CLIENTS overrides the two clients.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { startServer } from './spawn-server.mjs'

const clients = (
  process.env.HYPERHTTP_BENCH_SMOKE_CLIENTS ?? 'hyperhttp-request,undici-request'
).split(',')
const dir = mkdtempSync(path.join(os.tmpdir(), 'hyperhttp-bench-smoke-'))
const tiny = [
  ...[
    '--clients',
    clients.join(','),
    '--reps',
    '1',
    '--concurrency',
    '8',
    '--warmup',
    '50',
    '--warmup-seconds',
    '0',
  ],
  ...['--timeout', '60', '--limit', 'off'],
]
const problems = []
const tables = [] // each run's stdout
const logs = [] // each run's stdout and stderr tail, shown when a check fails

// 1. Local server, request count.
await check({
  name: 'local',
  args: [
    ...tiny,
    ...['--sizes', '200', '--requests', '300', '--protocol', 'h1', '--server', 'node'],
    ...['--reps', '2', '--order', 'rounds'],
    ...process.argv.slice(2),
  ],
  workloads: ['200 B'],
  headerNeedles: [
    '- Server: ',
    '300 requests per repetition',
    '2 repetitions',
    'in rounds',
    '; HYPERHTTP_WORKER_THREADS=2)',
  ],
  runFields: {
    duration_s: null,
    target: null,
    rep_order: 'rounds',
    engine_env: 'HYPERHTTP_WORKER_THREADS=2',
  },
  env: { HYPERHTTP_WORKER_THREADS: '2' },
})

// 2. --url at a loopback server of our own, POST with a body, one second per repetition.
const server = await startServer()
const body = JSON.stringify({ smoke: 'x'.repeat(100) })
const url = `http://127.0.0.1:${server.port}/echo`
try {
  await check({
    name: '--url',
    args: [...tiny, '--url', url, '--method', 'POST', '--body', body, '--duration', '1'],
    workloads: ['POST /echo'],
    headerNeedles: [
      `- Target: POST ${url} (--url; no local server), every body must be ${body.length} bytes`,
      '1 s per repetition',
    ],
    runFields: { duration_s: 1, target: `POST ${url}`, engine_env: null },
  })
} finally {
  server.stop()
}

// 3. A misspelt flag, or a value that is not a number: one sentence naming it (and the valid
// flags), exit code 2, no stack trace.
for (const [what, args, wanted] of [
  [
    'misspelt flag',
    ['compare.mjs', '--reqests'],
    ["Unknown option '--reqests'", '--requests', 'bench/README.md'],
  ],
  ['bad value', ['micro/fetch-client.mjs', '--rounds', '3x'], ['fetch-client: --rounds', '"3x"']],
]) {
  const { code, stderr } = await run([path.join(import.meta.dirname, args[0]), ...args.slice(1)])
  const missing = wanted.filter((needle) => !stderr.includes(needle))
  if (code !== 2 || missing.length || stderr.includes('    at ')) {
    problems.push(`${what}: exit ${code}, stderr lacks ${missing.join(', ')}: ${stderr}`)
  }
}
rmSync(dir, { recursive: true, force: true })

if (problems.length) {
  process.stderr.write(
    `bench smoke: FAILED\n${problems.map((p) => `- ${p}`).join('\n')}\n\n${logs.join('\n')}\n`,
  )
  process.exit(1)
}
process.stdout.write(tables.join('\n'))
process.stdout.write(
  `\nbench smoke: OK (${clients.length} clients; local run, --url --method POST --body --duration run, misspelt flag and bad value refused)\n`,
)

// Runs compare.mjs with `args` (plus its own database and chart) and records every
// deviation from the expected shape in `problems`, prefixed with the run's name.
async function check({ name, args, workloads, headerNeedles, runFields, env = {} }) {
  const db = path.join(dir, `${name.replace(/\W/g, '')}.sqlite`)
  const svg = path.join(dir, `${name.replace(/\W/g, '')}.svg`)
  const { code, stdout, stderr } = await run(
    [path.join(import.meta.dirname, 'compare.mjs'), ...args, ...['--db', db, '--svg', svg]],
    env,
  )
  const issues = []
  if (code !== 0) issues.push(`compare.mjs exited with code ${code}`)
  issues.push(...checkShape(stdout, workloads, headerNeedles))
  issues.push(...checkFiles(db, svg, workloads, runFields))
  problems.push(...issues.map((issue) => `${name} run: ${issue}`))
  tables.push(stdout)
  logs.push(stdout, `--- ${name} run: stderr (tail)\n${stderr.slice(-3000)}`)
}

// Runs node with `args` and the variables `extra`; every HYPERHTTP_* variable the user may
// have set (the harness's and the engine's) is dropped, so the smoke run is fixed.
function run(args, extra = {}) {
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('HYPERHTTP_')),
    ),
    ...extra,
  }
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

function checkShape(text, sizes, headerNeedles) {
  const issues = []
  const lines = text.split('\n')
  if (!/^## hyperhttp benchmark: /.test(lines[0] ?? '')) {
    issues.push('first line is not the "## hyperhttp benchmark:" title')
  }
  for (const needle of [
    '- Node v',
    'CPU: ',
    'load average',
    '- hyperhttp ',
    'undici ',
    ...headerNeedles,
  ]) {
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

// The run was stored (one run with `runFields`, one ok row per client and workload) and
// the chart written.
function checkFiles(dbFile, svgFile, sizes, runFields) {
  const issues = []
  try {
    const db = new DatabaseSync(dbFile)
    const runs = db.prepare('SELECT * FROM runs').all()
    const ok = db
      .prepare("SELECT client, workload FROM results WHERE status = 'ok'")
      .all()
      .filter((row) => clients.includes(row.client) && sizes.includes(row.workload))
    db.close()
    if (runs.length !== 1) issues.push(`database holds ${runs.length} runs, expected 1`)
    for (const [field, value] of Object.entries(runFields)) {
      if (runs[0] && runs[0][field] !== value) {
        issues.push(`stored run has ${field} = ${runs[0][field]}, expected ${value}`)
      }
    }
    if (ok.length !== clients.length * sizes.length) {
      issues.push(`database holds ${ok.length} ok rows, expected ${clients.length * sizes.length}`)
    }
  } catch (error) {
    issues.push(`database not readable: ${error.message}`)
  }
  try {
    const svg = readFileSync(svgFile, 'utf8')
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
