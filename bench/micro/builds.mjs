// Two (or more) builds of hyperhttp against each other: the `Client`'s `client.get(url)` +
// arrayBuffer() (compare.mjs's hyperhttp-request row; `--clients` names other hyperhttp rows,
// e.g. `hyperhttp-request,hyperhttp-fetch` to weigh `fetch` against the `Client`) at
// `concurrency` in flight against crates/bench-server (`--size post`: compare.mjs's POST 10
// KiB JSON row, `client.post` to the server's echo route, instead), each repetition in a
// fresh process of its own, warmed up for at least `--warmup-seconds` (as compare.mjs's
// clients are), the builds (and rows) alternating repetition by repetition with the order
// flipped each round. A change to the engine is settled here when a full `npm run bench` is
// too noisy: a slow minute of the machine falls on neighbouring repetitions of both builds
// (its own spread is in bench/README.md). A build is a package root with `dist/` and the
// addon (a checkout after `npm run build`, or a copy of one); `.` is this checkout. CPU time
// is user + system of the whole process (engine threads included).
//
//   node bench/micro/builds.mjs --build DIR[@VAR=VALUE...] [--build ...] [--protocol h1|tls|h2]
//                               [--server hyper|nginx] [--size 200|post] [--concurrency 64]
//                               [--requests 20000] [--rounds 6] [--warmup-seconds 5]
//                               [--clients hyperhttp-request]
//
// (`--url URL --client ROW [--ca PEM]` is how it runs one repetition in a child process.)
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLIENTS, typedHeaders } from '../clients.mjs'
import { bytes, count, nonNegative, oneOf, parseFlags, refuse } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { SERVER_NAMES, startServerNamed } from '../nginx.mjs'
import { JSON_TYPE, postWorkload } from '../workload.mjs'
import { load, machineLine } from './cpu-load.mjs'

const TOOL = 'bench/micro/builds.mjs'
const flags = parseFlags(TOOL, {
  build: { type: 'string', multiple: true, default: [] },
  protocol: { type: 'string', default: 'h1' },
  server: { type: 'string', default: 'hyper' },
  size: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '64' },
  requests: { type: 'string', default: '20000' },
  rounds: { type: 'string', default: '6' },
  'warmup-seconds': { type: 'string', default: '5' },
  clients: { type: 'string', default: 'hyperhttp-request' },
  // Internal: one repetition of --client in this process, against --url, printed as JSON.
  url: { type: 'string' },
  client: { type: 'string' },
  ca: { type: 'string' },
})
const { protocol } = flags
const serverName = oneOf(TOOL, 'server', flags.server, SERVER_NAMES)
const post = flags.size.trim().toLowerCase() === 'post' ? postWorkload() : undefined
const size = post ? post.size : bytes(TOOL, 'size', flags.size)
if (post && serverName !== 'hyper')
  refuse(TOOL, 'nginx serves no POST echo: --size post needs --server hyper')
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const requests = count(TOOL, 'requests', flags.requests)
const rounds = count(TOOL, 'rounds', flags.rounds)
const warmupSeconds = nonNegative(TOOL, 'warmup-seconds', flags['warmup-seconds'])
// The rows this tool can run: hyperhttp's own (other clients do not come from a build).
const ROWS = Object.keys(CLIENTS).filter((name) => name.startsWith('hyperhttp-'))
const rows = flags.clients.split(',').map((name) => oneOf(TOOL, 'clients', name.trim(), ROWS))

if (flags.url) {
  // A repetition: the build comes from HYPERHTTP_BENCH_BUILD, set by the parent.
  const client = await CLIENTS[oneOf(TOOL, 'client', flags.client, ROWS)]({
    connections: concurrency,
    protocol,
    ca: flags.ca,
    typed: typedHeaders(JSON_TYPE),
  })
  const get = post
    ? (target) => client.send(post.method, target, post.body)
    : (target) => client.get(target)
  // Both a request count and a time: JavaScript keeps getting faster for seconds (see "Warm-up"
  // in bench/README.md).
  const warmUntil = performance.now() + warmupSeconds * 1000
  const warmup = Math.max(500, 4 * concurrency, requests / 4)
  do await load(get, flags.url, size, warmup, concurrency)
  while (performance.now() < warmUntil)
  const sample = await load(get, flags.url, size, requests, concurrency)
  await client.close()
  process.stdout.write(JSON.stringify(sample))
} else {
  // A build is `DIR` or `DIR@VAR=VALUE[@VAR=VALUE...]`: the same build with environment
  // variables of its own (e.g. `.@HYPERHTTP_WORKER_THREADS=1` against `.`). Only trailing
  // `@NAME=...` parts are variables, so a DIR may itself contain `@`.
  const builds = flags.build
  if (builds.length < 1) refuse(TOOL, 'give at least one --build DIR')
  const buildEnv = (build) => {
    const parts = build.split('@')
    const env = { ...process.env }
    while (parts.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(parts.at(-1))) {
      const v = parts.pop()
      const eq = v.indexOf('=')
      env[v.slice(0, eq)] = v.slice(eq + 1)
    }
    env.HYPERHTTP_BENCH_BUILD = path.resolve(parts.join('@'))
    return env
  }
  const envs = new Map(builds.map((b) => [b, buildEnv(b)]))
  // What is compared: each build with each row, named by the build alone when there is one row.
  const entries = builds.flatMap((build) =>
    rows.map((row) => ({ build, row, name: rows.length === 1 ? build : `${build} ${row}` })),
  )
  const loadAtStart = os.loadavg()[0]
  const started = await startServerNamed(serverName, protocol, size)
  const { server, tls, label } = started
  const url = post ? new URL(post.path, started.url).href : started.url
  const self = fileURLToPath(import.meta.url)
  const samples = new Map(entries.map((e) => [e.name, []]))
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? entries : [...entries].reverse()
      for (const { build, row, name } of order) {
        const args = [self, '--url', url, '--client', row, '--protocol', protocol]
        args.push('--size', flags.size, '--concurrency', flags.concurrency)
        args.push('--requests', flags.requests, '--warmup-seconds', flags['warmup-seconds'])
        if (tls) args.push(`--ca=${tls.ca}`)
        const out = execFileSync(process.execPath, args, { env: envs.get(build), encoding: 'utf8' })
        samples.get(name).push(JSON.parse(out))
      }
    }
  } finally {
    server.stop()
  }
  const lines = [
    `## Builds against each other: ${rows.join(', ')}, ${post ? post.name : `${size} B`}, ${protocol}, concurrency ${concurrency}`,
    '',
    machineLine(loadAtStart),
    `- ${rounds} rounds of ${requests} requests per build, each in a fresh process after a warm-up of at least ${warmupSeconds} s, alternating (order flipped each round), median shown; server: ${label} in its own process`,
    '',
    '| build | req/s each round | req/s | CPU µs/req | JS thread µs/req | vs first |',
    '|---|---|--:|--:|--:|--:|',
  ]
  const first = medianOf(samples.get(entries[0].name), 'rate')
  for (const [build, s] of samples) {
    const rate = medianOf(s, 'rate')
    const each = s.map((x) => x.rate.toFixed(0)).join(' ')
    lines.push(
      `| ${build} | ${each} | ${rate.toFixed(0)} | ${medianOf(s, 'cpu').toFixed(1)} | ${medianOf(s, 'js').toFixed(1)} | ${(rate / first).toFixed(2)}x |`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}
