// Run history in SQLite (node:sqlite, no dependency): every compare.mjs run is appended,
// and `--compare A,B` prints the ratio of two runs.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  git_commit TEXT,
  node TEXT,
  cpu TEXT,
  load_avg REAL,
  server TEXT,
  requests INTEGER,
  reps INTEGER,
  versions TEXT,
  command TEXT,
  duration_s REAL,
  target TEXT
);
CREATE TABLE IF NOT EXISTS results (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  client TEXT NOT NULL,
  workload TEXT NOT NULL,
  size INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  req_per_sec REAL,
  p50_ms REAL,
  p95_ms REAL,
  p99_ms REAL,
  cpu_us_per_req REAL,
  max_rss_mb REAL,
  errors INTEGER,
  status TEXT NOT NULL,
  note TEXT
);
CREATE INDEX IF NOT EXISTS results_run ON results(run_id);
`

// Columns added after the first release of the schema, with their types: a database made
// before them gets them on open (older runs read NULL there).
// rep_order: `rounds` or `client` (compare.mjs --order); NULL for runs before it, which ran
// each client's repetitions back to back. engine_env: the hyperhttp engine's settings from the
// environment (`HYPERHTTP_WORKER_THREADS=1`, space-separated), NULL when none was set.
const ADDED_RUN_COLUMNS = {
  duration_s: 'REAL',
  target: 'TEXT',
  rep_order: 'TEXT',
  engine_env: 'TEXT',
}

export function openDb(file) {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const db = new DatabaseSync(file)
  db.exec(SCHEMA)
  const present = new Set(
    db
      .prepare('PRAGMA table_info(runs)')
      .all()
      .map((c) => c.name),
  )
  for (const [name, type] of Object.entries(ADDED_RUN_COLUMNS)) {
    if (!present.has(name)) db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${type}`)
  }
  return db
}

export function saveRun(file, run, rows) {
  const db = openDb(file)
  try {
    db.exec('BEGIN')
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO runs (started_at, git_commit, node, cpu, load_avg, server, requests, reps,
           versions, command, duration_s, target, rep_order, engine_env)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.startedAt,
        run.commit,
        run.node,
        run.cpu,
        run.load,
        run.server,
        run.requests,
        run.reps,
        JSON.stringify(run.versions),
        run.command,
        run.durationS ?? null,
        run.target ?? null,
        run.order ?? null,
        run.engineEnv || null,
      )
    const insert = db.prepare(
      `INSERT INTO results (run_id, client, workload, size, protocol, concurrency, req_per_sec,
         p50_ms, p95_ms, p99_ms, cpu_us_per_req, max_rss_mb, errors, status, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const r of rows) {
      const status = r.skip ? 'skipped' : r.failure ? 'failed' : 'ok'
      insert.run(
        lastInsertRowid,
        r.client,
        r.workload,
        r.size,
        r.protocol,
        r.concurrency,
        r.reqPerSec ?? null,
        r.p50 ?? null,
        r.p95 ?? null,
        r.p99 ?? null,
        r.cpuUsPerReq ?? null,
        r.maxRssMb ?? null,
        r.errors ?? null,
        status,
        r.skip ?? r.failure ?? null,
      )
    }
    db.exec('COMMIT')
    return Number(lastInsertRowid)
  } finally {
    db.close()
  }
}

// `spec` is "A,B": run ids, or `last` / `prev` (the newest run and the one before it).
// Returns Markdown: per (client, workload, protocol, concurrency) present in both runs,
// req/s and CPU µs/req of each and their ratio A / B.
export function compareRuns(file, spec) {
  const db = openDb(file)
  try {
    const ids = db
      .prepare('SELECT id FROM runs ORDER BY id DESC LIMIT 2')
      .all()
      .map((r) => r.id)
    const resolve = (token) => {
      const t = token.trim()
      if (t === 'last') return ids[0]
      if (t === 'prev') return ids[1]
      const n = Number(t)
      return Number.isSafeInteger(n) ? n : undefined
    }
    const parts = spec.split(',')
    if (parts.length !== 2) throw new Error(`--compare wants two runs, e.g. last,prev or 3,7`)
    const [a, b] = parts.map(resolve)
    const runOf = (id) => db.prepare('SELECT * FROM runs WHERE id = ?').get(id)
    const runA = a === undefined ? undefined : runOf(a)
    const runB = b === undefined ? undefined : runOf(b)
    if (!runA || !runB) throw new Error(`run ${!runA ? parts[0] : parts[1]} not found in ${file}`)
    const resultsOf = (id) =>
      db.prepare(`SELECT * FROM results WHERE run_id = ? AND status = 'ok' ORDER BY rowid`).all(id)
    const key = (r) => `${r.client}\u0000${r.workload}\u0000${r.protocol}\u0000${r.concurrency}`
    const byKey = new Map(resultsOf(b).map((r) => [key(r), r]))
    const ratio = (x, y) => (x && y ? `${(x / y).toFixed(2)}x` : '')
    const describe = (run) =>
      `run ${run.id}: ${run.started_at}, commit ${run.git_commit}, ${run.node}, load ${Number(run.load_avg).toFixed(2)}, ${perRepetition(run.requests, run.duration_s)} per repetition, repetitions ${run.rep_order === 'rounds' ? 'in rounds' : 'client by client'}${run.target ? `, --url ${run.target}` : ''}${run.engine_env ? `, ${run.engine_env}` : ''}`
    const lines = [
      `## hyperhttp benchmark: run ${runA.id} against run ${runB.id}`,
      '',
      `- A = ${describe(runA)}`,
      `- B = ${describe(runB)}`,
      '- ratios are A / B: above 1 for req/s means A was faster, below 1 for CPU means A used less',
      '',
      '| client | workload | protocol | concurrency | req/s A | req/s B | req/s A/B | CPU µs/req A | CPU µs/req B | CPU A/B |',
      '|---|---|---|--:|--:|--:|--:|--:|--:|--:|',
    ]
    let matched = 0
    for (const ra of resultsOf(a)) {
      const rb = byKey.get(key(ra))
      if (!rb) continue
      matched++
      const num = (v, digits) => (v == null ? '' : v.toFixed(digits))
      lines.push(
        `| ${ra.client} | ${ra.workload} | ${ra.protocol} | ${ra.concurrency} | ${num(ra.req_per_sec, 0)} | ${num(rb.req_per_sec, 0)} | ${ratio(ra.req_per_sec, rb.req_per_sec)} | ${num(ra.cpu_us_per_req, 1)} | ${num(rb.cpu_us_per_req, 1)} | ${ratio(ra.cpu_us_per_req, rb.cpu_us_per_req)} |`,
      )
    }
    if (!matched)
      lines.push('', 'No (client, workload, protocol, concurrency) measured in both runs.')
    return `${lines.join('\n')}\n`
  } finally {
    db.close()
  }
}

// What one repetition of a run was: a request count, or a duration (--duration).
export function perRepetition(requests, durationS) {
  return durationS ? `${durationS} s` : `${requests} requests`
}

// A stored run's rows in compare.mjs's shape (for --chart), and its header fields.
export function loadRun(file, token) {
  const db = openDb(file)
  try {
    const id =
      token === 'last' ? db.prepare('SELECT MAX(id) AS id FROM runs').get().id : Number(token)
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(id)
    if (!run) throw new Error(`run ${token} not found in ${file}`)
    const rows = db
      .prepare('SELECT * FROM results WHERE run_id = ? ORDER BY rowid')
      .all(id)
      .map((r) => ({
        client: r.client,
        limit: r.client.endsWith('(limit)'),
        workload: r.workload,
        size: r.size,
        protocol: r.protocol,
        concurrency: r.concurrency,
        reqPerSec: r.req_per_sec ?? undefined,
        cpuUsPerReq: r.cpu_us_per_req ?? undefined,
        failure: r.status === 'failed' ? (r.note ?? 'failed') : undefined,
        skip: r.status === 'skipped' ? (r.note ?? 'skipped') : undefined,
      }))
    return { run, rows }
  } finally {
    db.close()
  }
}
