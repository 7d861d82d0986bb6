// How completions cross from Rust to JavaScript, measured: the batched completion channel
// (one threadsafe-function call per batch of finished requests, the Promise owned by JS)
// against napi-rs's default async path (a Promise and a threadsafe function per call).
// Same engine, same client, same server in a child process; only the crossing differs.
//
//   node bench/micro/completion.mjs [--requests 20000] [--rounds 5]
//
// The baseline (`requestBaseline`) is compiled only with the binding's `bench-baseline`
// feature, so this script first builds that variant of the addon into target/bench-baseline
// (`npm run build:bench-baseline`; the production addon at the package root is untouched).
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { count, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServer } from '../spawn-server.mjs'
import { NativeDriver } from './native-driver.mjs'

const TOOL = 'bench/micro/completion.mjs'
const flags = parseFlags(TOOL, {
  requests: { type: 'string', default: '20000' },
  rounds: { type: 'string', default: '5' },
})
const REQUESTS = count(TOOL, 'requests', flags.requests)
const ROUNDS = count(TOOL, 'rounds', flags.rounds)

const root = path.join(import.meta.dirname, '..', '..')
const binding = createRequire(import.meta.url)('../../index.cjs')
execFileSync('npm', ['run', '--silent', 'build:bench-baseline'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  shell: process.platform === 'win32',
})
const baselineBinding = createRequire(import.meta.url)(
  path.join(root, 'target', 'bench-baseline', 'hyperhttp.node'),
)
const server = await startServer()
const url = `http://127.0.0.1:${server.port}/bytes/200`
const options = { decompress: false, maxConnectionsPerHost: 64 }

const batched = new NativeDriver(binding, options)
const baselineClient = new baselineBinding.NativeClient(options, () => {})

const paths = {
  'batched channel': async () => {
    const [status, length] = await batched.request('GET', url)
    if (status !== 200 || length !== 200) throw new Error(`bad response ${status} ${length}`)
  },
  'promise + tsfn per call': async () => {
    const res = await baselineClient.requestBaseline('GET', url, [])
    if (res.status !== 200 || res.body.length !== 200) throw new Error('bad response')
  },
}

async function run(fn, concurrency) {
  let next = 0
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < REQUESTS) await fn()
    }),
  )
  const ns = Number(process.hrtime.bigint() - t0)
  const cpu = process.cpuUsage(cpu0)
  return { rps: (REQUESTS / ns) * 1e9, cpuUs: (cpu.user + cpu.system) / REQUESTS }
}

const rows = []
for (const concurrency of [1, 64]) {
  for (const [name, fn] of Object.entries(paths)) {
    await run(fn, concurrency) // warm-up
    const results = []
    for (let i = 0; i < ROUNDS; i++) results.push(await run(fn, concurrency))
    rows.push({
      name,
      concurrency,
      rps: medianOf(results, 'rps'),
      cpuUs: medianOf(results, 'cpuUs'),
    })
    process.stderr.write(`done: ${name} c=${concurrency}\n`)
  }
}

batched.close()
baselineClient.close()
server.stop()

const lines = [
  `GET 200 B, ${REQUESTS} requests x ${ROUNDS} rounds (median), Node ${process.version}`,
  '',
  '| crossing | concurrency | req/s | client CPU µs/req |',
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.name} | ${r.concurrency} | ${Math.round(r.rps)} | ${r.cpuUs.toFixed(1)} |`,
  ),
]
process.stdout.write(`${lines.join('\n')}\n`)
