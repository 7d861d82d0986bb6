// Where a client's latency tail comes from: one client row of compare.mjs at `--concurrency`
// requests in flight against crates/bench-server, timed request by request over windows of
// `--window` requests for `--seconds` after a warm-up of at least 5 s, with the garbage
// collector's pauses of the same time (PerformanceObserver 'gc' entries, by kind: 1 a
// scavenge of the young generation, 4 incremental marking, 8 weak callbacks) and the event
// loop's delay. Prints the median window's req/s and latency percentiles. Run it under
// `node --trace-gc-nvp` to see what each scavenge kept (`new_space_survived`).
// HYPERHTTP_BENCH_BUILD measures another build, as with compare.mjs.
//
//   node bench/micro/gc-pauses.mjs [--client hyperhttp-request] [--protocol h1|tls|h2]
//                                  [--size 200] [--concurrency 64] [--seconds 10] [--window 20000]
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks'
import { CLIENTS, typedHeaders } from '../clients.mjs'
import { bytes, count, oneOf, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServerNamed } from '../nginx.mjs'
import { load } from './cpu-load.mjs'

const TOOL = 'bench/micro/gc-pauses.mjs'
const flags = parseFlags(TOOL, {
  client: { type: 'string', default: 'hyperhttp-request' },
  protocol: { type: 'string', default: 'h1' },
  size: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '64' },
  seconds: { type: 'string', default: '10' },
  window: { type: 'string', default: '20000' },
})
const name = oneOf(TOOL, 'client', flags.client, Object.keys(CLIENTS))
const protocol = oneOf(TOOL, 'protocol', flags.protocol, ['h1', 'tls', 'h2'])
const size = bytes(TOOL, 'size', flags.size)
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const seconds = count(TOOL, 'seconds', flags.seconds)
const window = count(TOOL, 'window', flags.window)

const { server, url, tls, label } = await startServerNamed('hyper', protocol, size)
const client = await CLIENTS[name]({
  connections: concurrency,
  protocol,
  ca: tls?.ca,
  typed: typedHeaders('application/json'),
})

// One window: every request's latency, sorted.
async function timedWindow() {
  const latencies = new Float64Array(window)
  let next = 0
  async function worker() {
    while (next < window) {
      const i = next++
      const start = performance.now()
      const [status, length] = await client.get(url)
      latencies[i] = performance.now() - start
      if (status !== 200 || length !== size) {
        throw new Error(`status ${status}, body ${length} of ${size} bytes`)
      }
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const wall = performance.now() - start
  latencies.sort()
  const at = (q) => latencies[Math.min(window - 1, Math.floor(q * window))]
  return { rate: (window * 1000) / wall, p50: at(0.5), p95: at(0.95), p99: at(0.99) }
}

const warmUpUntil = performance.now() + 5000
while (performance.now() < warmUpUntil) await load(client.get, url, size, 2000, concurrency)
const pauses = new Map()
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind ?? 0
    if (!pauses.has(kind)) pauses.set(kind, [])
    pauses.get(kind).push(entry.duration)
  }
})
observer.observe({ entryTypes: ['gc'] })
const delay = monitorEventLoopDelay({ resolution: 1 })
delay.enable()
const windows = []
const until = performance.now() + seconds * 1000
while (performance.now() < until) windows.push(await timedWindow())
delay.disable()
observer.disconnect()
await client.close()
server.stop()

const ms = (value) => value.toFixed(2)
const lines = [
  `## ${name}: latency and garbage-collection pauses, ${size} B, ${protocol}, concurrency ${concurrency}`,
  '',
  `- Node ${process.version}; ${windows.length} windows of ${window} requests over ${seconds} s after a warm-up of at least 5 s, median window shown; server: ${label} in its own process`,
  '',
  `req/s ${medianOf(windows, 'rate').toFixed(0)}, latency p50 ${ms(medianOf(windows, 'p50'))} ms, p95 ${ms(medianOf(windows, 'p95'))}, p99 ${ms(medianOf(windows, 'p99'))}; event loop delay p99 ${ms(delay.percentile(99) / 1e6)} ms, max ${ms(delay.max / 1e6)}`,
  '',
  '| GC kind | pauses | median ms | max ms | total ms |',
  '|---|--:|--:|--:|--:|',
]
for (const [kind, list] of [...pauses].sort((a, b) => a[0] - b[0])) {
  const durations = list.map((d) => ({ d }))
  const total = list.reduce((sum, d) => sum + d, 0)
  const median = ms(medianOf(durations, 'd'))
  lines.push(
    `| ${kind} | ${list.length} | ${median} | ${ms(Math.max(...list))} | ${total.toFixed(0)} |`,
  )
}
console.log(lines.join('\n'))
