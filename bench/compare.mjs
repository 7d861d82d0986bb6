// Side-by-side benchmark: every client against the same load server, each (client,
// workload) in its own process, plus the limit (wrk / h2load) at the same concurrency.
// Prints a Markdown table on stdout and a progress line on stderr; appends the run to a
// SQLite database and writes an SVG chart.
//
//   node bench/compare.mjs [--requests 2000 | --duration S] [--concurrency 64[,1,256]]
//                          [--reps 3] [--order rounds|client]
//                          [--clients a,b|all] [--sizes 200,10k,1m,post]
//                          [--protocol h1,tls,h2] [--server node|nginx]
//                          [--db path|off] [--svg path|off] [--limit auto|off]
//   node bench/compare.mjs --url URL [--method POST --body TEXT | --body-file PATH]
//                                                  # any server instead of a local one
//   node bench/compare.mjs --compare last,prev     # ratio of two stored runs
//
// Every flag falls back to a HYPERHTTP_BENCH_* variable (see bench/README.md).
import { execFileSync, fork, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { makeCertificate } from './certificate.mjs'
import { ALL_CLIENTS, CLIENTS, DEFAULT_CLIENTS, hyperhttpBuild } from './clients.mjs'
import { compareRuns, loadRun, perRepetition, saveRun } from './db.mjs'
import { bytes, count, nonNegative, parseFlags, positive, refuse } from './flags.mjs'
import {
  haveTool,
  INSTALL_HINT,
  limitTool,
  measureLimit,
  medianOf,
  summarizeLimit,
} from './limit.mjs'
import { NGINX_HINT, nginxBinary, nginxVersion, startNginx } from './nginx.mjs'
import { PYTHON_CLIENTS, PYTHON_RUNNER, pythonEnv, pythonVersions } from './python.mjs'
import { PROTOCOLS, protocolProblem, rustServer, serverArgs, startServer } from './spawn-server.mjs'
import { renderSvg } from './svg.mjs'
import { JSON_TYPE, postWorkload } from './workload.mjs'

const here = import.meta.dirname
const env = process.env
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
// Settings of the hyperhttp engine taken from the environment (HYPERHTTP_* other than
// HYPERHTTP_BENCH_*, such as HYPERHTTP_WORKER_THREADS): the client processes inherit them, so
// the report prints them and the stored run keeps them (engine_env): `NAME=value` pairs
// separated by spaces, '' when none is set.
const ENGINE_ENV = Object.entries(env)
  .filter(([name]) => name.startsWith('HYPERHTTP_') && !name.startsWith('HYPERHTTP_BENCH_'))
  .map(([name, value]) => `${name}=${value}`)
  .sort()
  .join(' ')
const PACKAGES = {
  undici: ['undici-request', 'undici-fetch', 'undici-pool', 'undici-newconn'],
  axios: ['axios'],
  got: ['got'],
  'node-fetch': ['node-fetch'],
  impit: ['impit'],
  'wreq-js': ['wreq-js'],
}

const OPTIONS = {
  requests: { type: 'string', default: env.HYPERHTTP_BENCH_REQUESTS ?? '2000' },
  concurrency: { type: 'string', default: env.HYPERHTTP_BENCH_CONCURRENCY ?? '64' },
  reps: { type: 'string', default: env.HYPERHTTP_BENCH_REPS ?? '3' },
  order: { type: 'string', default: env.HYPERHTTP_BENCH_ORDER ?? 'client' },
  warmup: { type: 'string', default: env.HYPERHTTP_BENCH_WARMUP },
  'warmup-seconds': { type: 'string', default: env.HYPERHTTP_BENCH_WARMUP_SECONDS ?? '5' },
  clients: {
    type: 'string',
    default: env.HYPERHTTP_BENCH_CLIENTS ?? DEFAULT_CLIENTS.join(','),
  },
  sizes: { type: 'string', default: env.HYPERHTTP_BENCH_SIZES ?? '200,10240,1048576,post' },
  protocol: { type: 'string', default: env.HYPERHTTP_BENCH_PROTOCOL },
  server: { type: 'string', default: env.HYPERHTTP_BENCH_SERVER ?? 'hyper' },
  timeout: { type: 'string', default: env.HYPERHTTP_BENCH_TIMEOUT ?? '300' },
  db: {
    type: 'string',
    default: env.HYPERHTTP_BENCH_DB ?? path.join(here, 'results', 'bench.sqlite'),
  },
  svg: {
    type: 'string',
    default: env.HYPERHTTP_BENCH_SVG ?? path.join(here, 'results', 'chart.svg'),
  },
  'server-cpus': { type: 'string', default: env.HYPERHTTP_BENCH_SERVER_CPUS },
  limit: { type: 'string', default: env.HYPERHTTP_BENCH_LIMIT ?? 'auto' },
  'limit-duration': { type: 'string', default: env.HYPERHTTP_BENCH_LIMIT_DURATION },
  duration: { type: 'string', default: env.HYPERHTTP_BENCH_DURATION },
  url: { type: 'string', default: env.HYPERHTTP_BENCH_URL },
  method: { type: 'string', default: env.HYPERHTTP_BENCH_METHOD },
  body: { type: 'string', default: env.HYPERHTTP_BENCH_BODY },
  'body-file': { type: 'string', default: env.HYPERHTTP_BENCH_BODY_FILE },
  'content-type': { type: 'string', default: env.HYPERHTTP_BENCH_CONTENT_TYPE ?? JSON_TYPE },
  ca: { type: 'string', default: env.HYPERHTTP_BENCH_CA },
  'expect-length': { type: 'string', default: env.HYPERHTTP_BENCH_EXPECT_LENGTH ?? 'auto' },
  compare: { type: 'string', default: env.HYPERHTTP_BENCH_COMPARE },
  chart: { type: 'string' },
}
const TOOL = 'bench/compare.mjs'
const flags = parseFlags(
  TOOL,
  OPTIONS,
  'bench/README.md says what each does and its HYPERHTTP_BENCH_* variable',
)

if (flags.compare) {
  try {
    process.stdout.write(compareRuns(flags.db, flags.compare))
  } catch (error) {
    fail(error.message)
  }
  process.exit(0)
}

// --chart RUN: (re)draw the chart of a stored run (`last` or its id) and exit.
if (flags.chart) {
  try {
    const { run, rows } = loadRun(flags.db, flags.chart)
    const target = flags.svg === 'off' ? path.join(here, 'results', 'chart.svg') : flags.svg
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true })
    writeFileSync(
      target,
      renderSvg({
        title: 'hyperhttp benchmark',
        subtitle: chartSubtitle(
          run.started_at,
          run.node,
          run.cpu,
          perRepetition(run.requests, run.duration_s),
          run.reps,
          run.server,
        ),
        rows,
        clients: [
          ...new Set([
            ...rows.filter((r) => !r.limit).map((r) => r.client),
            ...rows.filter((r) => r.limit).map((r) => r.client),
          ]),
        ],
        protocolNames: PROTOCOLS,
      }),
    )
    process.stderr.write(`compare: chart of run ${run.id} written to ${target}\n`)
  } catch (error) {
    fail(error.message)
  }
  process.exit(0)
}

const requests = count(TOOL, 'requests', flags.requests)
// --duration: each repetition runs for that many seconds instead of `requests` requests.
const durationS =
  flags.duration === undefined ? undefined : positive(TOOL, 'duration', flags.duration)
// A repetition of a fixed request count that ends within this many ms is short enough for one
// slow moment of the machine to move its cell (bench/README.md, "Repetition length"); the
// report says how many rows had such repetitions, and what times them longer.
const SHORT_REPETITION_MS = 250
const concurrencies = flags.concurrency.split(',').map((c) => count(TOOL, 'concurrency', c))
const reps = count(TOOL, 'reps', flags.reps)
if (!['rounds', 'client'].includes(flags.order)) fail('--order must be rounds or client')
// --order client (the default): each client's repetitions back to back in one process.
// --order rounds: a cell's repetitions are taken in rounds, each round one repetition of the
// limit and of every client (in a fresh process), the clients' order rotated round by round; a
// slow moment of the machine then falls on one repetition of several clients, which the median
// drops, instead of on every repetition of one client, which it keeps.
const rounds = flags.order === 'rounds' ? reps : 1
const repsPerProcess = reps / rounds
const warmupFor = (concurrency) =>
  flags.warmup === undefined
    ? Math.max(4 * concurrency, Math.ceil(requests / 4))
    : count(TOOL, 'warmup', flags.warmup)
// --warmup-seconds: every process also warms up for at least this long, as V8 keeps speeding a
// JavaScript client up for tens of thousands of requests (bench/README.md, "Warm-up").
const warmupS = nonNegative(TOOL, 'warmup-seconds', flags['warmup-seconds'])
const timeoutMs = count(TOOL, 'timeout', flags.timeout) * 1000
const clients = (flags.clients.trim() === 'all' ? ALL_CLIENTS : flags.clients.split(',')).map(
  (name) => name.trim(),
)
const knownClients = [...Object.keys(CLIENTS), ...PYTHON_CLIENTS]
for (const name of clients) {
  if (!knownClients.includes(name))
    fail(`unknown client ${name}; known: ${knownClients.join(', ')}`)
}
// --url: the user's own server; no local server, one workload (its method and path).
const target = flags.url === undefined ? undefined : parseTarget(flags.url)
const protocols = (flags.protocol ?? target?.allowed[0] ?? 'h1,tls,h2')
  .split(',')
  .map((p) => p.trim())
for (const protocol of protocols) {
  const problem = protocolProblem(protocol)
  if (problem) fail(problem)
  if (target && !target.allowed.includes(protocol)) {
    fail(
      `--protocol ${protocol} does not fit a ${target.url.protocol} URL (want ${target.allowed.join(' or ')})`,
    )
  }
}
if (!['hyper', 'node', 'nginx'].includes(flags.server))
  fail('--server must be hyper, node or nginx')
if (!['auto', 'off'].includes(flags.limit)) fail('--limit must be auto or off')
const serverCpus = flags['server-cpus']
if (serverCpus !== undefined) {
  if (target) fail('--server-cpus: there is no local server to pin with --url')
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(serverCpus))
    fail(`--server-cpus takes a processor list such as 1 or 2-3 (taskset -c), not "${serverCpus}"`)
  if (!haveTool('taskset'))
    fail('--server-cpus needs taskset (Linux, util-linux): install util-linux or drop the flag')
}
const limitDuration =
  flags['limit-duration'] === undefined
    ? (durationS ?? 2)
    : positive(TOOL, 'limit-duration', flags['limit-duration'])
if (!target) {
  const urlOnly = ['method', 'body', 'body-file', 'ca'].filter((name) => flags[name] !== undefined)
  if (flags['expect-length'] !== 'auto') urlOnly.push('expect-length')
  if (urlOnly.length) {
    fail(`--${urlOnly.join(', --')}: only with --url (the local server's POST row is --sizes post)`)
  }
}
const workloads = target
  ? [await targetWorkload(target)]
  : flags.sizes.split(',').map(parseWorkload)

const notes = []
let nginx
let rust
const serverThreads = count(
  TOOL,
  'HYPERHTTP_BENCH_SERVER_THREADS',
  env.HYPERHTTP_BENCH_SERVER_THREADS ?? '1',
)
if (target) {
  if (env.HYPERHTTP_BENCH_SERVER || process.argv.includes('--server'))
    notes.push('--server does not apply to --url runs: no local server was started')
} else if (flags.server === 'hyper') {
  progress('building crates/bench-server (cargo build --release; a few minutes the first time)')
  try {
    rust = rustServer()
  } catch (error) {
    const message = `${error.message}; falling back to bench/server.mjs (node)`
    process.stderr.write(`compare: ${message}\n`)
    notes.push(message)
  }
}
if (!target && flags.server === 'nginx') {
  nginx = nginxBinary()
  if (!nginx) {
    process.stderr.write(`compare: --server nginx: nginx not found. Install it: ${NGINX_HINT}\n`)
    process.exit(3)
  }
  if (workloads.some((w) => w.post))
    notes.push('nginx serves static files only: the POST echo rows are skipped')
}
const limitTools = {}
if (flags.limit === 'auto') {
  for (const protocol of protocols) {
    const tool = limitTool(protocol)
    if (tool in limitTools) continue
    limitTools[tool] = haveTool(tool)
    if (!limitTools[tool]) {
      const message = `${tool} not found, its limit rows are skipped; install it with: ${INSTALL_HINT}`
      process.stderr.write(`compare: ${message}\n`)
      notes.push(message)
    }
  }
}

// The Python rows need their venv (made on first use); without it they are skipped rows.
let python
let pythonSkip
if (clients.some((client) => PYTHON_CLIENTS.includes(client))) {
  const began = Date.now()
  try {
    python = pythonEnv((message) => progress(`Python clients: ${message}`))
    if (python.created) {
      const seconds = ((Date.now() - began) / 1000).toFixed(1)
      progress('')
      process.stderr.write(
        `compare: Python venv for aiohttp/httpx made in ${seconds} s: ${python.dir}\n`,
      )
    }
  } catch (error) {
    pythonSkip = error.message
    process.stderr.write(`compare: ${pythonSkip}; the Python rows are skipped\n`)
  }
}

const startedAt = new Date().toISOString()
const measuredCommit = commit()
const loadAtStart = os.loadavg()[0]
// The processors and how they idle, read once: the report, the stored run and the chart.
const CPU = cpuDescription()
const tls = !target && protocols.some((p) => p !== 'h1') ? makeCertificate() : undefined
const ca = target ? target.ca : tls?.ca

const rows = []
const totalSteps =
  protocols.length *
  concurrencies.length *
  workloads.length *
  rounds *
  (clients.length + (flags.limit === 'auto' ? 1 : 0))
let step = 0
for (const protocol of protocols) {
  const server = target ? undefined : await startBench(protocol)
  const origin = target
    ? target.url.origin
    : `${protocol === 'h1' ? 'http' : 'https'}://127.0.0.1:${server.port}`
  try {
    for (const concurrency of concurrencies) {
      for (const workload of workloads) {
        const cell = { workload: workload.name, size: workload.size, protocol, concurrency }
        const url = target ? target.url.href : origin + workload.path
        const tool = limitTool(protocol)
        const limited = flags.limit === 'auto' && limitTools[tool] && !(nginx && workload.post)
        const limitRuns = []
        const limitBody =
          limited && workload.bodyFile ? readFileSync(workload.bodyFile) : workload.body
        // Per client: its repetitions so far and its peak RSS, or why it has no row.
        const entries = clients.map((client) => {
          if (nginx && workload.post) return { client, skip: 'nginx serves no POST echo' }
          if (pythonSkip && PYTHON_CLIENTS.includes(client)) return { client, skip: pythonSkip }
          return { client, runs: [], maxRssMb: 0 }
        })
        for (let round = 0; round < rounds; round++) {
          const of = rounds > 1 ? ` round ${round + 1}/${rounds}` : ''
          if (flags.limit === 'auto') {
            step++
            if (limited) {
              progress(
                `[${step}/${totalSteps}] ${tool} ${workload.name} ${protocol} c${concurrency}${of}`,
              )
              const runs = await measureLimit({
                protocol,
                url,
                concurrency,
                method: workload.method,
                body: limitBody,
                contentType: workload.contentType,
                durationS: limitDuration,
                reps: repsPerProcess,
              })
              limitRuns.push(...runs)
            }
          }
          for (let i = 0; i < entries.length; i++) {
            const entry = entries[(i + round) % entries.length]
            step++
            if (entry.skip || entry.failure) continue
            const label = `[${step}/${totalSteps}] ${entry.client} ${workload.name} ${protocol} c${concurrency}${of}`
            const outcome = await runClient(
              { client: entry.client, url, origin, workload, protocol, concurrency },
              label,
            )
            if (outcome.result) {
              entry.runs.push(...outcome.result.reps)
              entry.maxRssMb = Math.max(entry.maxRssMb, outcome.result.maxRssMb)
            } else {
              entry.skip = outcome.skip
              entry.failure = outcome.failure
            }
          }
        }
        if (limited)
          rows.push({
            client: `${tool} (limit)`,
            limit: true,
            ...cell,
            ...summarizeLimit(limitRuns),
          })
        for (const { client, skip, failure, runs, maxRssMb } of entries) {
          if (skip) rows.push({ client, ...cell, skip })
          else if (failure) rows.push({ client, ...cell, failure })
          else rows.push({ client, ...cell, ...summarize({ reps: runs, maxRssMb }) })
        }
      }
    }
  } finally {
    server?.stop()
  }
}
progress('')

const versions = collectVersions()
const serverKind = target
  ? `${target.url.origin} (--url: not started by the harness)`
  : nginx
    ? `nginx ${versions.nginx} (${env.HYPERHTTP_BENCH_NGINX_WORKERS ?? 1} worker)`
    : rust
      ? `crates/bench-server (hyper ${versions.hyperServer}, ${serverThreads} thread${serverThreads > 1 ? 's' : ''})`
      : 'bench/server.mjs (node:http/https/http2)'
const pinned =
  serverCpus === undefined ? '' : `, pinned to processors ${serverCpus} (--server-cpus)`
const serverName = `${serverKind}${pinned}`
process.stdout.write(report(rows))

if (flags.db !== 'off') {
  try {
    const id = saveRun(
      flags.db,
      {
        startedAt,
        commit: measuredCommit,
        node: process.version,
        cpu: CPU,
        load: loadAtStart,
        server: serverName,
        requests,
        durationS,
        target: target ? `${workloads[0].method} ${target.url.href}` : undefined,
        reps,
        order: flags.order,
        versions,
        command: process.argv.slice(2).join(' '),
        engineEnv: ENGINE_ENV,
      },
      rows,
    )
    process.stderr.write(`compare: run ${id} saved to ${flags.db} (compare: --compare last,prev)\n`)
  } catch (error) {
    process.stderr.write(`compare: could not save the run to ${flags.db}: ${error.message}\n`)
  }
}
if (flags.svg !== 'off') {
  mkdirSync(path.dirname(path.resolve(flags.svg)), { recursive: true })
  writeFileSync(
    flags.svg,
    renderSvg({
      title: 'hyperhttp benchmark',
      subtitle: chartSubtitle(
        startedAt,
        process.version,
        CPU,
        perRepetition(requests, durationS),
        reps,
        serverName,
      ),
      rows,
      clients: [...clients, ...rows.filter((r) => r.limit).map((r) => r.client)],
      protocolNames: PROTOCOLS,
    }),
  )
  process.stderr.write(`compare: chart written to ${flags.svg}\n`)
}

async function startBench(protocol) {
  if (nginx) {
    const sizes = workloads.filter((w) => !w.post).map((w) => w.size)
    return startNginx({ binary: nginx, protocol, sizes, tls, cpus: serverCpus })
  }
  const args = serverArgs(protocol, tls)
  if (rust) return startServer([...args, '--threads', String(serverThreads)], rust, serverCpus)
  return startServer(args, undefined, serverCpus)
}

// `repsPerProcess` repetitions of one (client, workload) in a process of its own:
// bench/run-client.mjs (messages over the IPC channel) or, for a Python client,
// bench/python/run_client.py (the same messages as JSON lines on its stdout). Resolves to
// { result: { reps, maxRssMb } }, { skip } or { failure }.
function runClient({ client, url, origin, workload, protocol, concurrency }, label) {
  const config = {
    client,
    url,
    origin,
    method: workload.method,
    size: workload.expect,
    body: workload.body,
    bodyFile: workload.bodyFile,
    contentType: workload.contentType,
    requests,
    durationS,
    concurrency,
    warmup: warmupFor(concurrency),
    warmupS,
    reps: repsPerProcess,
    protocol,
    ca,
  }
  return new Promise((resolve) => {
    const child = PYTHON_CLIENTS.includes(client)
      ? spawn(python.python, [PYTHON_RUNNER, JSON.stringify(config)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : fork(path.join(here, 'run-client.mjs'), [JSON.stringify(config)], {
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        })
    let stderr = ''
    let result
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    const onMessage = (message) => {
      if (message.type === 'phase') progress(`${label}: ${message.phase}`)
      else if (message.type === 'result' || message.type === 'skip') result = message
    }
    child.on('message', onMessage)
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          onMessage(JSON.parse(line))
        } catch {
          stderr = (stderr + line).slice(-4000)
        }
      })
    }
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (result?.type === 'skip') return resolve({ skip: result.reason })
      if (result) return resolve({ result })
      progress('')
      process.stderr.write(`${label} failed, its stderr:\n${stderr}\n`)
      resolve({
        failure: timedOut
          ? `no result after ${timeoutMs / 1000} s, killed`
          : explainExit(code, signal, stderr),
      })
    })
  })
}

// Median of each figure over the repetitions; any error or short body fails the row.
function summarize({ reps: runs, maxRssMb }) {
  const median = (key) => medianOf(runs, key)
  const total = (key) => runs.reduce((sum, run) => sum + run[key], 0)
  const row = {
    reqPerSec: median('reqPerSec'),
    p50: median('p50'),
    p95: median('p95'),
    p99: median('p99'),
    cpuUsPerReq: median('cpuUsPerReq'),
    maxRssMb,
    errors: total('errors') + total('badStatus') + total('shortBodies'),
  }
  if (row.errors) {
    const first = runs.find((run) => run.firstError)?.firstError
    row.failure = `${total('errors')} errors, ${total('badStatus')} bad statuses, ${total('shortBodies')} short bodies; first: ${first}`
  }
  return row
}

function explainExit(code, signal, stderr) {
  if (code === 13) {
    return 'the event loop emptied while requests were pending (nothing kept the process alive)'
  }
  const lines = stderr.split('\n').map((line) => line.trim())
  const error = lines.find(
    (line) => /(Error|Exception|Warning)\b/.test(line) && !line.startsWith('at '),
  )
  return error ?? lines.findLast(Boolean) ?? `exited with ${signal ?? `code ${code}`}`
}

function report(results) {
  const sections = []
  for (const r of results) {
    if (!sections.some((s) => s.protocol === r.protocol && s.concurrency === r.concurrency)) {
      sections.push({ protocol: r.protocol, concurrency: r.concurrency })
    }
  }
  const single = sections.length === 1
  const title = single
    ? `${PROTOCOLS[sections[0].protocol]}, concurrency ${sections[0].concurrency}`
    : `${protocols.map((p) => PROTOCOLS[p]).join(' · ')}; concurrency ${concurrencies.join(', ')}`
  const clientVersions = Object.entries(versions)
    .filter(([name]) => name !== 'hyperhttp' && name !== 'hyperServer')
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
  const lines = [
    `## hyperhttp benchmark: ${title}`,
    '',
    `- Node ${process.version} (${process.platform} ${process.arch}), CPU: ${CPU}, load average ${loadAtStart.toFixed(2)} at start`,
    `- hyperhttp ${versions.hyperhttp} (commit ${measuredCommit}${ENGINE_ENV ? `; ${ENGINE_ENV}` : ''}), ${clientVersions}`,
    target
      ? `- Target: ${workloads[0].method} ${target.url.href} (--url; no local server), ${workloads[0].expect === null ? `any body length (the probe got ${workloads[0].size} bytes)` : `every body must be ${workloads[0].size} bytes`}`
      : `- Server: ${serverKind} in its own process on 127.0.0.1${pinned}`,
    `- ${perRepetition(requests, durationS)} per repetition after a warm-up of ${flags.warmup === undefined ? 'max(4 × concurrency, requests / 4)' : flags.warmup} requests${warmupS > 0 ? ` and at least ${warmupS} s` : ''}, ${reps} repetitions, median shown; ${
      rounds > 1
        ? `taken in rounds: each round one repetition of ${Object.values(limitTools).some(Boolean) ? 'the limit and ' : ''}every client, each client in a process of its own after its own warm-up, the order of the clients rotated round by round`
        : 'each (client, workload) runs in its own process'
    }`,
    ...(Object.values(limitTools).some(Boolean)
      ? [
          `- Limit: ${Object.keys(limitTools)
            .filter((tool) => limitTools[tool])
            .join(
              ' / ',
            )} at the same concurrency (wrk: one connection per request in flight; h2load: one connection, that many streams), ${limitDuration} s per repetition; "vs limit" = req/s ÷ the limit's req/s`,
        ]
      : []),
    ...notes.map((note) => `- Note: ${note}`),
  ]
  for (const section of sections) {
    const rowsHere = results.filter(
      (r) => r.protocol === section.protocol && r.concurrency === section.concurrency,
    )
    const baseline = new Map(
      rowsHere
        .filter((r) => r.client === 'undici-request' && !r.failure && !r.skip)
        .map((r) => [r.workload, r.reqPerSec]),
    )
    const limits = new Map(
      rowsHere.filter((r) => r.limit && !r.failure).map((r) => [r.workload, r.reqPerSec]),
    )
    if (!single) {
      lines.push('', `### ${PROTOCOLS[section.protocol]}, concurrency ${section.concurrency}`)
    }
    lines.push(
      '',
      '| client | size | req/s | vs undici request | vs limit | p50 ms | p95 ms | p99 ms | CPU µs/req | peak RSS MB | errors |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    )
    const num = (v, digits) => (v === undefined || v === null ? '' : v.toFixed(digits))
    for (const r of rowsHere) {
      if (r.skip) {
        lines.push(`| ${r.client} | ${r.workload} | skipped | | | | | | | | |`)
        continue
      }
      if (r.reqPerSec === undefined || r.failure) {
        lines.push(
          `| ${r.client} | ${r.workload} | failed | | | | | | | ${num(r.maxRssMb, 1)} | ${r.errors ?? ''} |`,
        )
        continue
      }
      const base = baseline.get(r.workload)
      const limit = limits.get(r.workload)
      const figures = [
        num(r.reqPerSec, 0),
        base && !r.limit ? `${(r.reqPerSec / base).toFixed(2)}x` : '',
        limit && !r.limit ? (r.reqPerSec / limit).toFixed(2) : '',
        num(r.p50, 2),
        num(r.p95, 2),
        num(r.p99, 2),
        num(r.cpuUsPerReq, 1),
        num(r.maxRssMb, 1),
        r.errors,
      ]
      lines.push(`| ${r.client} | ${r.workload} | ${figures.join(' | ')} |`)
    }
  }
  const failures = results.filter((r) => r.failure)
  if (failures.length) {
    lines.push('', 'Failed rows:', '')
    for (const r of failures) {
      lines.push(
        `- ${r.client} ${r.workload} ${r.protocol} c${r.concurrency}: ${r.failure.replaceAll('\n', ' ').trim()}`,
      )
    }
  }
  lines.push(...shortRepetitions(results))
  const skipped = new Map()
  for (const r of results.filter((row) => row.skip)) {
    const key = `${r.client}: ${r.skip}`
    if (!skipped.has(key)) skipped.set(key, new Set())
    skipped.get(key).add(`${r.protocol} c${r.concurrency}`)
  }
  if (skipped.size) {
    lines.push('', 'Skipped rows:', '')
    for (const [key, where] of skipped) lines.push(`- ${key} (${[...where].join(', ')})`)
  }
  return `${lines.join('\n')}\n`
}

// The report's note on repetitions shorter than SHORT_REPETITION_MS (see there).
function shortRepetitions(results) {
  if (durationS !== undefined) return []
  const short = results
    .filter((r) => !r.limit && !r.skip && !r.failure && r.reqPerSec > 0)
    .map((r) => ({ r, ms: (requests * 1000) / r.reqPerSec }))
    .filter(({ ms }) => ms < SHORT_REPETITION_MS)
    .sort((a, b) => a.ms - b.ms)
  if (short.length === 0) return []
  const { r, ms } = short[0]
  return [
    '',
    `Short repetitions: in ${short.length} row${short.length === 1 ? '' : 's'} a repetition of ${requests} requests lasted under ${SHORT_REPETITION_MS} ms (the shortest ${ms.toFixed(0)} ms: ${r.client} ${r.workload} ${r.protocol} c${r.concurrency}), so those cells move with the machine from moment to moment; --duration 2 times each repetition over 2 s.`,
  ]
}

function collectVersions() {
  const result = { hyperhttp: packageVersion('../package.json') }
  for (const [pkg, users] of Object.entries(PACKAGES)) {
    if (clients.some((c) => users.includes(c))) {
      result[pkg] = packageVersion(path.join(here, '..', 'node_modules', pkg, 'package.json'))
    }
  }
  if (limitTools.wrk) result.wrk = toolVersion('wrk', ['-v'], /wrk (\S+)/)
  if (limitTools.h2load) result.h2load = toolVersion('h2load', ['--version'], /nghttp2\/([\w.-]+)/)
  if (nginx) result.nginx = nginxVersion(nginx)
  if (python) {
    const py = pythonVersions(python.python)
    for (const name of PYTHON_CLIENTS) if (clients.includes(name)) result[name] = py[name]
    if (clients.includes('httpx')) result.h2 = py.h2
    result.Python = py.python
  }
  if (rust) result.hyperServer = lockedVersion('hyper')
  return result
}

// A crate's version as Cargo.lock pins it (the bench server's hyper).
function lockedVersion(name) {
  try {
    const lock = readFileSync(path.join(here, '..', 'Cargo.lock'), 'utf8')
    return new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1] ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

function toolVersion(tool, args, pattern) {
  let out = ''
  try {
    out = execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    out = `${error.stdout ?? ''}${error.stderr ?? ''}`
  }
  return pattern.exec(out)?.[1] ?? 'unknown'
}

function chartSubtitle(startedAt, node, cpu, perRep, reps, server) {
  return `${startedAt.slice(0, 16).replace('T', ' ')} UTC, Node ${node}, ${cpu}, ${perRep} × ${reps} reps (median), server: ${server}`
}

function cpuDescription() {
  const cpu = os.cpus()
  const idle = idleDescription()
  return `${cpu[0]?.model.trim()} × ${cpu.length}${idle ? ` (${idle})` : ''}`
}

// How idle processors wait (Linux cpuidle), which sets what waking a thread costs and so the
// figures one request at a time: a virtual machine whose idle driver is haltpoll with
// guest_halt_poll_ns 0 halts at once, and each wake-up is a trip through the hypervisor
// (one request at a time ran about 3x slower there than with 200000; see bench/README.md).
function idleDescription() {
  const read = (file) => {
    try {
      return readFileSync(file, 'utf8').trim()
    } catch {
      return undefined
    }
  }
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver')
  if (!driver) return undefined
  const poll = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns')
  return driver === 'haltpoll' && poll !== undefined
    ? `idle: haltpoll, guest_halt_poll_ns ${poll}`
    : `idle: ${driver}`
}

// A workload: the request (method, path, body as a string or a file, content type) and the
// body length every answer must have (`expect`, null: any; `size` is what the row records).
function parseWorkload(text) {
  if (text.trim().toLowerCase() === 'post') return postWorkload()
  const size = bytes(TOOL, 'sizes', text)
  return { name: formatSize(size), size, expect: size, method: 'GET', path: `/bytes/${size}` }
}

// --url and the options that only go with it: the URL, the protocols it allows (its scheme
// decides: http is h1; https is tls, or h2 when asked), the CA to trust.
function parseTarget(text) {
  let url
  try {
    url = new URL(text)
  } catch {
    fail(`--url ${text} is not an absolute URL (e.g. http://127.0.0.1:8080/health)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`--url must be http: or https:, got ${url.protocol}`)
  }
  let ca
  if (flags.ca !== undefined) {
    try {
      ca = readFileSync(flags.ca, 'utf8')
    } catch (error) {
      fail(`--ca ${flags.ca}: ${error.message}`)
    }
  }
  return { url, allowed: url.protocol === 'http:' ? ['h1'] : ['tls', 'h2'], ca }
}

// The one workload of a --url run. Its body length is what one probe request (node:http,
// identity encoding) gets back, unless --expect-length says otherwise.
async function targetWorkload(target) {
  const method = (flags.method ?? 'GET').toUpperCase()
  if (!METHODS.includes(method)) fail(`--method must be one of ${METHODS.join(', ')}`)
  if (flags.body !== undefined && flags['body-file'] !== undefined) {
    fail('--body and --body-file exclude each other: give one')
  }
  let bodyFile
  if (flags['body-file'] !== undefined) {
    bodyFile = path.resolve(flags['body-file'])
    try {
      readFileSync(bodyFile)
    } catch (error) {
      fail(`--body-file ${flags['body-file']}: ${error.message}`)
    }
  }
  const body = flags.body
  if (method === 'GET' && (body !== undefined || bodyFile)) {
    fail('GET carries no body in fetch-style clients: use --method POST, PUT, PATCH or DELETE')
  }
  const workload = {
    name: `${method} ${target.url.pathname}${target.url.search}`,
    method,
    body,
    bodyFile,
    contentType: flags['content-type'],
  }
  const expect = flags['expect-length']
  if (expect !== 'auto' && expect !== 'any' && !/^\d+$/.test(expect)) {
    fail(`--expect-length must be auto, any or a number of bytes, got ${expect}`)
  }
  progress(`probing ${method} ${target.url.href}`)
  const probe = await probeTarget(target, workload)
  progress('')
  if (probe.error) fail(`--url ${target.url.href}: ${probe.error}`)
  if (probe.status < 200 || probe.status > 299) {
    fail(`--url: ${method} ${target.url.href} answered ${probe.status}; the run needs a 2xx answer`)
  }
  workload.size = expect === 'auto' || expect === 'any' ? probe.length : Number(expect)
  workload.expect = expect === 'any' ? null : workload.size
  return workload
}

function probeTarget(target, workload) {
  const body = workload.bodyFile ? readFileSync(workload.bodyFile) : workload.body
  const headers = { 'accept-encoding': 'identity' }
  if (body !== undefined) headers['content-type'] = workload.contentType
  const mod = target.url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    const req = mod.request(
      target.url,
      { method: workload.method, headers, ca: target.ca, timeout: 30_000 },
      (res) => {
        let length = 0
        res.on('data', (chunk) => {
          length += chunk.length
        })
        res.on('end', () => resolve({ status: res.statusCode, length }))
        res.on('error', (error) => resolve({ error: error.message }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')))
    req.on('error', (error) => resolve({ error: `${error.code ?? ''} ${error.message}`.trim() }))
    req.end(body)
  })
}

function packageVersion(specifier) {
  try {
    return createRequire(import.meta.url)(specifier).version
  } catch {
    return 'not installed'
  }
}

// The commit of the hyperhttp build measured: this checkout's, or that of the
// HYPERHTTP_BENCH_BUILD directory (its path when it is not a git checkout).
function commit() {
  const build = hyperhttpBuild()
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: build ?? here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return build ? `unknown (build ${build})` : 'unknown'
  }
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`)
  else if (text) process.stderr.write(`${text}\n`)
}

function formatSize(size) {
  if (size >= 1048576 && size % 1048576 === 0) return `${size / 1048576} MiB`
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024} KiB`
  return `${size} B`
}

function fail(message) {
  refuse(TOOL, message)
}
