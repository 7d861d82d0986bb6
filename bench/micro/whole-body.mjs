// A whole response body into one Buffer (what arrayBuffer() / text() / json() need), two ways
// over the same native client: pieces pulled with read(id) and joined with Buffer.concat
// (a copy per piece on the JavaScript thread, then a second copy), against readAll(id, prefix)
// (the engine gathers the body into one allocation sized from Content-Length and hands it over
// as an external Buffer). CPU time is user + system of the whole process (engine threads
// included); "JS thread" is the CPU time of the JavaScript thread alone (process.threadCpuUsage).
// The two ways alternate round by round, so a machine whose speed drifts affects both alike.
//
//   node bench/micro/whole-body.mjs [--sizes 65536,262144,1048576,4194304]
//                                   [--requests 400] [--rounds 3] [--concurrency 8]
//                                   [--ways concat,readAll]
import { createRequire } from 'node:module'
import os from 'node:os'
import { bytes, count, parseFlags, refuse } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServer } from '../spawn-server.mjs'
import { machineLine, load as measure } from './cpu-load.mjs'
import { NativeDriver } from './native-driver.mjs'

const MIB = 1024 * 1024
const TOOL = 'bench/micro/whole-body.mjs'
const flags = parseFlags(TOOL, {
  sizes: { type: 'string', default: `${64 * 1024},${256 * 1024},${MIB},${4 * MIB}` },
  requests: { type: 'string', default: '400' },
  rounds: { type: 'string', default: '3' },
  concurrency: { type: 'string', default: '8' },
  ways: { type: 'string', default: 'concat,readAll' },
})
const sizes = flags.sizes.split(',').map((size) => bytes(TOOL, 'sizes', size))
const rounds = count(TOOL, 'rounds', flags.rounds)
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const requestsPerMib = count(TOOL, 'requests', flags.requests)
const WAYS = flags.ways.split(',')
for (const way of WAYS) {
  if (!['concat', 'readAll'].includes(way))
    refuse(TOOL, `--ways takes concat and readAll (comma-separated), not "${way}"`)
}

const binding = createRequire(import.meta.url)('../../index.cjs')
const loadAtStart = os.loadavg()[0]
const server = await startServer()
const origin = `http://127.0.0.1:${server.port}`
const options = { decompress: false, maxConnectionsPerHost: concurrency, maxRetries: 0 }
const drivers = Object.fromEntries(
  WAYS.map((way) => [way, new NativeDriver(binding, options, way)]),
)

const results = new Map()
for (const size of sizes) {
  // Fewer requests for larger bodies: about the same bytes per case.
  const requests = Math.max(50, Math.round((requestsPerMib * MIB) / Math.max(size, MIB)))
  for (const way of WAYS) await load(drivers[way], size, Math.ceil(requests / 4))
  for (let round = 0; round < rounds; round++) {
    for (const way of WAYS) {
      const sample = await load(drivers[way], size, requests)
      const key = `${size} ${way}`
      results.set(key, [...(results.get(key) ?? []), sample])
    }
  }
}
for (const driver of Object.values(drivers)) driver.close()
server.stop()

const lines = [
  '## A whole body into one Buffer: read(id) + Buffer.concat against readAll(id)',
  '',
  machineLine(loadAtStart),
  `- ${concurrency} requests in flight, ${rounds} rounds per way (alternating), median shown; server: bench/server.mjs in its own process`,
  '',
  '| body | way | CPU µs/req | JS thread µs/req | req/s |',
  '|--:|---|--:|--:|--:|',
]
for (const size of sizes) {
  for (const way of WAYS) {
    const samples = results.get(`${size} ${way}`)
    lines.push(
      `| ${label(size)} | ${way} | ${medianOf(samples, 'cpu').toFixed(1)} | ${medianOf(samples, 'js').toFixed(1)} | ${medianOf(samples, 'rate').toFixed(0)} |`,
    )
  }
}
process.stdout.write(`${lines.join('\n')}\n`)

function load(driver, size, requests) {
  const get = (url) => driver.request('GET', url)
  return measure(get, `${origin}/bytes/${size}`, size, requests, concurrency)
}

function label(size) {
  return size >= MIB ? `${size / MIB} MiB` : `${size / 1024} KiB`
}
