// Side-by-side benchmark: every client against the same load server, each (client, size)
// in its own process. Prints a Markdown table on stdout and a progress line on stderr.
//
//   node bench/compare.mjs [--requests 2000] [--concurrency 64] [--reps 3] [--warmup N]
//                          [--clients a,b] [--sizes 200,10k,1m] [--protocol h1|tls|h2]
//
// Flags fall back to HYPERHTTP_BENCH_REQUESTS, _CONCURRENCY, _REPS, _CLIENTS and _SIZES.
import { execFileSync, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { makeCertificate } from './certificate.mjs'
import { CLIENTS, DEFAULT_CLIENTS } from './clients.mjs'
import { startServer } from './spawn-server.mjs'

const here = import.meta.dirname
const env = process.env
const PROTOCOLS = {
  h1: 'HTTP/1.1 cleartext',
  tls: 'HTTP/1.1 over TLS',
  h2: 'HTTP/2 over TLS',
}

const { values: flags } = parseArgs({
  options: {
    requests: {
      type: 'string',
      default: env.HYPERHTTP_BENCH_REQUESTS ?? '2000',
    },
    concurrency: {
      type: 'string',
      default: env.HYPERHTTP_BENCH_CONCURRENCY ?? '64',
    },
    reps: { type: 'string', default: env.HYPERHTTP_BENCH_REPS ?? '3' },
    warmup: { type: 'string' },
    clients: {
      type: 'string',
      default: env.HYPERHTTP_BENCH_CLIENTS ?? DEFAULT_CLIENTS.join(','),
    },
    sizes: {
      type: 'string',
      default: env.HYPERHTTP_BENCH_SIZES ?? '200,10240,1048576',
    },
    protocol: { type: 'string', default: 'h1' },
    timeout: { type: 'string', default: '300' },
  },
})

const requests = positiveInt('requests', flags.requests)
const concurrency = positiveInt('concurrency', flags.concurrency)
const reps = positiveInt('reps', flags.reps)
const warmup =
  flags.warmup === undefined
    ? Math.max(4 * concurrency, Math.ceil(requests / 4))
    : positiveInt('warmup', flags.warmup)
const timeoutMs = positiveInt('timeout', flags.timeout) * 1000
const sizes = flags.sizes.split(',').map(parseSize)
const clients = flags.clients.split(',').map((name) => name.trim())
for (const name of clients) {
  if (!CLIENTS[name]) fail(`unknown client ${name}; known: ${Object.keys(CLIENTS).join(', ')}`)
}
const protocol = flags.protocol
if (!PROTOCOLS[protocol]) fail(`--protocol must be one of ${Object.keys(PROTOCOLS).join(', ')}`)

const measuredCommit = commit()
const loadAtStart = os.loadavg()[0]
const tls = protocol === 'h1' ? undefined : makeCertificate()
const server = await startServer(
  tls ? [protocol === 'h2' ? '--h2' : '--tls', '--cert', tls.certPath, '--key', tls.keyPath] : [],
)
const origin = `${protocol === 'h1' ? 'http' : 'https'}://127.0.0.1:${server.port}`

const rows = []
try {
  let step = 0
  for (const size of sizes) {
    for (const client of clients) {
      step++
      const label = `[${step}/${sizes.length * clients.length}] ${client} ${formatSize(size)}`
      rows.push({ client, size, ...(await runClient(client, size, label)) })
    }
  }
} finally {
  server.stop()
}
progress('')
process.stdout.write(report(rows))

function runClient(client, size, label) {
  const config = {
    client,
    url: `${origin}/bytes/${size}`,
    size,
    requests,
    concurrency,
    warmup,
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
      else if (message.type === 'result') result = message
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
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
  const baseline = new Map(
    results
      .filter((r) => r.client === 'undici-request' && !r.failure)
      .map((r) => [r.size, r.reqPerSec]),
  )
  const cpu = os.cpus()
  const lines = [
    `## hyperhttp benchmark: ${PROTOCOLS[protocol]}, concurrency ${concurrency}`,
    '',
    `- Node ${process.version} (${process.platform} ${process.arch}), CPU: ${cpu[0]?.model.trim()} × ${cpu.length}, load average ${loadAtStart.toFixed(2)} at start`,
    `- hyperhttp ${packageVersion('../package.json')} (commit ${measuredCommit}), undici ${packageVersion('undici/package.json')}`,
    `- Server: bench/server.mjs (node:${protocol === 'h2' ? 'http2' : protocol === 'tls' ? 'https' : 'http'}) in its own process on 127.0.0.1`,
    `- ${requests} requests per repetition after ${warmup} warm-up requests, ${reps} repetitions, median shown; each (client, size) runs in its own process`,
    '',
    '| client | size | req/s | vs undici request | p50 ms | p95 ms | p99 ms | CPU µs/req | peak RSS MB | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  for (const r of results) {
    if (r.reqPerSec === undefined) {
      lines.push(`| ${r.client} | ${formatSize(r.size)} | failed | | | | | | | |`)
      continue
    }
    const base = baseline.get(r.size)
    const figures = r.failure
      ? ['failed', '', '', '', '', '']
      : [
          r.reqPerSec.toFixed(0),
          base ? `${(r.reqPerSec / base).toFixed(2)}x` : '',
          r.p50.toFixed(2),
          r.p95.toFixed(2),
          r.p99.toFixed(2),
          r.cpuUsPerReq.toFixed(1),
        ]
    lines.push(
      `| ${r.client} | ${formatSize(r.size)} | ${figures.join(' | ')} | ${r.maxRssMb.toFixed(1)} | ${r.errors} |`,
    )
  }
  const failures = results.filter((r) => r.failure)
  if (failures.length) {
    lines.push('', 'Failed rows:', '')
    for (const r of failures)
      lines.push(`- ${r.client} ${formatSize(r.size)}: ${r.failure.replaceAll('\n', ' ').trim()}`)
  }
  return `${lines.join('\n')}\n`
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
