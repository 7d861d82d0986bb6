// Side-by-side benchmark: every client against the same load server, each (client,
// workload) in its own process, plus the limit (wrk / h2load) at the same concurrency.
// Prints a Markdown table on stdout and a progress line on stderr; appends the run to a
// SQLite database and writes an SVG chart.
//
//   node bench/compare.mjs [--requests 2000] [--concurrency 64[,1,256]] [--reps 3]
//                          [--clients a,b|all] [--sizes 200,10k,1m,post]
//                          [--protocol h1,tls,h2] [--server node|nginx]
//                          [--db path|off] [--svg path|off] [--limit auto|off]
//   node bench/compare.mjs --compare last,prev     # ratio of two stored runs
//
// Every flag falls back to a HYPERHTTP_BENCH_* variable (see bench/README.md).
import { execFileSync, fork } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { makeCertificate } from './certificate.mjs'
import { ALL_CLIENTS, CLIENTS, DEFAULT_CLIENTS } from './clients.mjs'
import { compareRuns, loadRun, saveRun } from './db.mjs'
import { haveTool, INSTALL_HINT, limitTool, measureLimit } from './limit.mjs'
import { NGINX_HINT, nginxBinary, nginxVersion, startNginx } from './nginx.mjs'
import { rustServer, startServer } from './spawn-server.mjs'
import { renderSvg } from './svg.mjs'

const here = import.meta.dirname
const env = process.env
const PROTOCOLS = {
  h1: 'HTTP/1.1 cleartext',
  tls: 'HTTP/1.1 over TLS',
  h2: 'HTTP/2 over TLS',
}
const POST_SIZE = 10240
const POST_WORKLOAD = 'POST 10 KiB JSON'
const PACKAGES = {
  undici: ['undici-request', 'undici-fetch', 'undici-pool', 'undici-newconn'],
  axios: ['axios'],
  got: ['got'],
  'node-fetch': ['node-fetch'],
  impit: ['impit'],
  'wreq-js': ['wreq-js'],
}

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: env.HYPERHTTP_BENCH_REQUESTS ?? '2000' },
    concurrency: { type: 'string', default: env.HYPERHTTP_BENCH_CONCURRENCY ?? '64' },
    reps: { type: 'string', default: env.HYPERHTTP_BENCH_REPS ?? '3' },
    warmup: { type: 'string', default: env.HYPERHTTP_BENCH_WARMUP },
    clients: {
      type: 'string',
      default: env.HYPERHTTP_BENCH_CLIENTS ?? DEFAULT_CLIENTS.join(','),
    },
    sizes: { type: 'string', default: env.HYPERHTTP_BENCH_SIZES ?? '200,10240,1048576,post' },
    protocol: { type: 'string', default: env.HYPERHTTP_BENCH_PROTOCOL ?? 'h1,tls,h2' },
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
    limit: { type: 'string', default: env.HYPERHTTP_BENCH_LIMIT ?? 'auto' },
    'limit-duration': { type: 'string', default: env.HYPERHTTP_BENCH_LIMIT_DURATION ?? '2' },
    compare: { type: 'string', default: env.HYPERHTTP_BENCH_COMPARE },
    chart: { type: 'string' },
  },
})

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
          run.requests,
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

const requests = positiveInt('requests', flags.requests)
const concurrencies = flags.concurrency.split(',').map((c) => positiveInt('concurrency', c))
const reps = positiveInt('reps', flags.reps)
const warmupFor = (concurrency) =>
  flags.warmup === undefined
    ? Math.max(4 * concurrency, Math.ceil(requests / 4))
    : positiveInt('warmup', flags.warmup)
const timeoutMs = positiveInt('timeout', flags.timeout) * 1000
const workloads = flags.sizes.split(',').map(parseWorkload)
const clients = (flags.clients.trim() === 'all' ? ALL_CLIENTS : flags.clients.split(',')).map(
  (name) => name.trim(),
)
for (const name of clients) {
  if (!CLIENTS[name]) fail(`unknown client ${name}; known: ${Object.keys(CLIENTS).join(', ')}`)
}
const protocols = flags.protocol.split(',').map((p) => p.trim())
for (const protocol of protocols) {
  if (!PROTOCOLS[protocol]) fail(`--protocol must be among ${Object.keys(PROTOCOLS).join(', ')}`)
}
if (!['hyper', 'node', 'nginx'].includes(flags.server))
  fail('--server must be hyper, node or nginx')
if (!['auto', 'off'].includes(flags.limit)) fail('--limit must be auto or off')
const limitDuration = positiveInt('limit-duration', flags['limit-duration'])

const notes = []
let nginx
let rust
const serverThreads = positiveInt('server threads', env.HYPERHTTP_BENCH_SERVER_THREADS ?? '1')
if (flags.server === 'hyper') {
  progress('building crates/bench-server (cargo build --release; a few minutes the first time)')
  try {
    rust = rustServer()
  } catch (error) {
    const message = `${error.message}; falling back to bench/server.mjs (node)`
    process.stderr.write(`compare: ${message}\n`)
    notes.push(message)
  }
}
if (flags.server === 'nginx') {
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

const startedAt = new Date().toISOString()
const measuredCommit = commit()
const loadAtStart = os.loadavg()[0]
const tls = protocols.some((p) => p !== 'h1') ? makeCertificate() : undefined

const rows = []
const totalSteps =
  protocols.length *
  concurrencies.length *
  workloads.length *
  (clients.length + (flags.limit === 'auto' ? 1 : 0))
let step = 0
for (const protocol of protocols) {
  const server = await startBench(protocol)
  const origin = `${protocol === 'h1' ? 'http' : 'https'}://127.0.0.1:${server.port}`
  try {
    for (const concurrency of concurrencies) {
      for (const workload of workloads) {
        const cell = { workload: workload.name, size: workload.size, protocol, concurrency }
        const url = origin + workload.path
        if (flags.limit === 'auto') {
          step++
          const tool = limitTool(protocol)
          if (limitTools[tool] && !(nginx && workload.post)) {
            progress(`[${step}/${totalSteps}] ${tool} ${workload.name} ${protocol} c${concurrency}`)
            const limit = await measureLimit({
              protocol,
              url,
              concurrency,
              postBody: workload.post ? jsonBody(workload.size) : undefined,
              durationS: limitDuration,
              reps,
            })
            rows.push({ client: `${tool} (limit)`, limit: true, ...cell, ...limit })
          }
        }
        for (const client of clients) {
          step++
          const label = `[${step}/${totalSteps}] ${client} ${workload.name} ${protocol} c${concurrency}`
          if (nginx && workload.post) {
            rows.push({ client, ...cell, skip: 'nginx serves no POST echo' })
            continue
          }
          rows.push({
            client,
            ...cell,
            ...(await runClient({ client, url, origin, workload, protocol, concurrency }, label)),
          })
        }
      }
    }
  } finally {
    server.stop()
  }
}
progress('')

const versions = collectVersions()
const serverName = nginx
  ? `nginx ${versions.nginx} (${env.HYPERHTTP_BENCH_NGINX_WORKERS ?? 1} worker)`
  : rust
    ? `crates/bench-server (hyper ${versions.hyperServer}, ${serverThreads} thread${serverThreads > 1 ? 's' : ''})`
    : 'bench/server.mjs (node:http/https/http2)'
process.stdout.write(report(rows))

if (flags.db !== 'off') {
  try {
    const id = saveRun(
      flags.db,
      {
        startedAt,
        commit: measuredCommit,
        node: process.version,
        cpu: cpuDescription(),
        load: loadAtStart,
        server: serverName,
        requests,
        reps,
        versions,
        command: process.argv.slice(2).join(' '),
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
        cpuDescription(),
        requests,
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
    return startNginx({ binary: nginx, protocol, sizes, tls })
  }
  const args =
    protocol === 'h1'
      ? []
      : [protocol === 'h2' ? '--h2' : '--tls', '--cert', tls.certPath, '--key', tls.keyPath]
  if (rust) return startServer([...args, '--threads', String(serverThreads)], rust)
  return startServer(args)
}

function runClient({ client, url, origin, workload, protocol, concurrency }, label) {
  const config = {
    client,
    url,
    origin,
    size: workload.size,
    post: workload.post,
    requests,
    concurrency,
    warmup: warmupFor(concurrency),
    reps,
    protocol,
    ca: tls?.ca,
  }
  return new Promise((resolve) => {
    const child = fork(path.join(here, 'run-client.mjs'), [JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    let result
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    child.on('message', (message) => {
      if (message.type === 'phase') progress(`${label}: ${message.phase}`)
      else if (message.type === 'result' || message.type === 'skip') result = message
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (result?.type === 'skip') return resolve({ skip: result.reason })
      if (result) return resolve(summarize(result))
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
  const median = (key) => {
    const values = runs.map((run) => run[key]).sort((a, b) => a - b)
    const mid = values.length >> 1
    return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2
  }
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
    `- Node ${process.version} (${process.platform} ${process.arch}), CPU: ${cpuDescription()}, load average ${loadAtStart.toFixed(2)} at start`,
    `- hyperhttp ${versions.hyperhttp} (commit ${measuredCommit}), ${clientVersions}`,
    `- Server: ${serverName} in its own process on 127.0.0.1`,
    `- ${requests} requests per repetition after a warm-up of max(4 × concurrency, requests / 4), ${reps} repetitions, median shown; each (client, workload) runs in its own process`,
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

function chartSubtitle(startedAt, node, cpu, requests, reps, server) {
  return `${startedAt.slice(0, 16).replace('T', ' ')} UTC, Node ${node}, ${cpu}, ${requests} requests × ${reps} reps (median), server: ${server}`
}

function cpuDescription() {
  const cpu = os.cpus()
  return `${cpu[0]?.model.trim()} × ${cpu.length}`
}

function parseWorkload(text) {
  if (text.trim().toLowerCase() === 'post') {
    return { name: POST_WORKLOAD, size: POST_SIZE, post: true, path: '/echo' }
  }
  const size = parseSize(text)
  return { name: formatSize(size), size, path: `/bytes/${size}` }
}

// The same JSON body run-client.mjs sends: {"data":"xxx…"} of exactly `size` bytes.
function jsonBody(size) {
  return JSON.stringify({ data: 'x'.repeat(Math.max(0, size - 11)) })
}

function packageVersion(specifier) {
  try {
    return createRequire(import.meta.url)(specifier).version
  } catch {
    return 'not installed'
  }
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: here,
      encoding: 'utf8',
    }).trim()
  } catch {
    return 'unknown'
  }
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`)
  else if (text) process.stderr.write(`${text}\n`)
}

function parseSize(text) {
  const match = /^\s*(\d+)\s*(k|kib|m|mib)?\s*$/i.exec(text)
  if (!match) fail(`bad size ${text}: want bytes, or a number with k or m`)
  const unit = { k: 1024, kib: 1024, m: 1048576, mib: 1048576 }[match[2]?.toLowerCase()] ?? 1
  return Number(match[1]) * unit
}

function formatSize(bytes) {
  if (bytes >= 1048576 && bytes % 1048576 === 0) return `${bytes / 1048576} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} B`
}

function positiveInt(name, text) {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1)
    fail(`--${name} must be a positive integer, got ${text}`)
  return value
}

function fail(message) {
  process.stderr.write(`compare: ${message}\n`)
  process.exit(2)
}
