// Where the `Client`'s slow requests spend their time: at `--concurrency` requests in flight
// against crates/bench-server, each request's latency (from its start to the awaited
// `client.get()` resuming) split by its `response.timings` into the engine's part (start to
// the response head received in the engine: `sent`, then the server and the engine's read)
// and the rest (the completion crossing to JavaScript and the wait for the JavaScript thread).
// Prints percentiles of each, and how the slowest 1 % of requests split on average.
// HYPERHTTP_BENCH_BUILD measures another build, as with compare.mjs.
//
//   node bench/micro/tail-split.mjs [--protocol h1|tls|h2] [--size 200] [--concurrency 64]
//                                   [--requests 200000]
import { performance } from 'node:perf_hooks'
import { hyperhttpClient } from '../clients.mjs'
import { bytes, count, oneOf, parseFlags } from '../flags.mjs'
import { startServerNamed } from '../nginx.mjs'

const TOOL = 'bench/micro/tail-split.mjs'
const flags = parseFlags(TOOL, {
  protocol: { type: 'string', default: 'tls' },
  size: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '64' },
  requests: { type: 'string', default: '200000' },
})
const protocol = oneOf(TOOL, 'protocol', flags.protocol, ['h1', 'tls', 'h2'])
const size = bytes(TOOL, 'size', flags.size)
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const requests = count(TOOL, 'requests', flags.requests)

const { server, url, tls, label } = await startServerNamed('hyper', protocol, size)
const client = await hyperhttpClient({ connections: concurrency, protocol, ca: tls?.ca })

const total = new Float64Array(requests)
const sent = new Float64Array(requests)
const head = new Float64Array(requests)
let recorded = -1 // -1 while warming up

async function run(limit) {
  let started = 0
  async function worker() {
    while (started < limit) {
      started++
      const res = await client.get(url)
      const resumed = performance.now()
      const { byteLength } = await res.arrayBuffer()
      if (res.status !== 200 || byteLength !== size) {
        throw new Error(`status ${res.status}, body ${byteLength} of ${size} bytes`)
      }
      if (recorded >= 0) {
        const { startTime, sent: written, firstByte } = res.timings
        total[recorded] = resumed - startTime
        sent[recorded] = written ?? Number.NaN
        head[recorded] = firstByte
        recorded++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const warmUpUntil = performance.now() + 5000
while (performance.now() < warmUpUntil) await run(2000)
recorded = 0
await run(requests)
await client.close()
server.stop()

const rest = total.map((t, i) => t - head[i])
/** The values of a row without the missing ones (NaN), sorted once for all its quantiles. */
const sortedKnown = (values) => values.filter((v) => !Number.isNaN(v)).sort()
const percentile = (sorted, q) => sorted[Math.floor(q * (sorted.length - 1))]
const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999]
const rows = [
  ['whole latency (start to `get()` resuming)', total],
  ['engine: start to request written (`sent`)', sent],
  ['engine: start to head received (`firstByte`)', head],
  ['rest: head received to `get()` resuming', rest],
]
const slowest = [...total.keys()]
  .sort((a, b) => total[b] - total[a])
  .slice(0, Math.max(1, Math.floor(requests / 100)))
/** The average over the slowest requests that have the value (`sent` may be missing). */
function mean(values) {
  const known = slowest.map((i) => values[i]).filter((v) => !Number.isNaN(v))
  return known.reduce((sum, v) => sum + v, 0) / known.length
}
const lines = [
  `## hyperhttp-request: where the latency goes, ${size} B, ${protocol}, concurrency ${concurrency}`,
  '',
  `- Node ${process.version}; ${requests} requests after a warm-up of at least 5 s; server: ${label} in its own process`,
  '',
  `| ms | ${QUANTILES.map((q) => `p${q * 100}`).join(' | ')} |`,
  `|---|${QUANTILES.map(() => '--:').join('|')}|`,
  ...rows.map(([name, values]) => {
    const sorted = sortedKnown(values)
    return `| ${name} | ${QUANTILES.map((q) => percentile(sorted, q).toFixed(3)).join(' | ')} |`
  }),
  '',
  `The slowest 1 % (${slowest.length} requests): ${mean(total).toFixed(3)} ms on average, of which the engine's part ${mean(head).toFixed(3)} (request written after ${mean(sent).toFixed(3)}) and the rest ${mean(rest).toFixed(3)}.`,
]
console.log(lines.join('\n'))
