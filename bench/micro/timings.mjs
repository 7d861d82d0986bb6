// What request timings and connection events cost per request: CPU time of this process
// (process.cpuUsage, user + system, all threads) per GET 200 B, 64 in flight, when nobody reads
// `response.timings`, when every field is read, and with no-op subscribers on the connection
// channels (the engine then reports connections, and each response publishes
// `undici:client:sendHeaders`). The timings rows themselves are always sent; their cost is the
// before/after of `bench/compare.mjs` (README, Request timings). Modes alternate round by
// round so machine load hits each alike; the median round is reported.
//
//   node bench/micro/timings.mjs [--rounds 9] [--requests 4000] [--filter text]
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { parseArgs } from 'node:util'
import { startServer } from '../spawn-server.mjs'

const IN_FLIGHT = 64
const CHANNELS = [
  'hyperhttp:connection:open',
  'hyperhttp:connection:close',
  'hyperhttp:connection:error',
  'undici:client:connected',
  'undici:client:connectError',
  'undici:client:sendHeaders',
]

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    requests: { type: 'string', default: '4000' },
    filter: { type: 'string', default: '' },
  },
})
const rounds = Number(flags.rounds)
const requests = Number(flags.requests)

const { Client } = await import('../../dist/esm/index.js')
const server = await startServer()
const url = `http://127.0.0.1:${server.port}/bytes/200`
const client = new Client({
  decompress: false,
  limits: { maxConnectionsPerHost: IN_FLIGHT },
  retry: false,
  circuitBreaker: false,
})

const noop = () => {}
let sink = 0
const modes = {
  'timings not read': { read: false, on: noop, off: noop },
  'every timings field read': { read: true, on: noop, off: noop },
  'no-op subscribers on the 6 connection channels': {
    read: false,
    on: () => {
      for (const name of CHANNELS) subscribe(name, noop)
    },
    off: () => {
      for (const name of CHANNELS) unsubscribe(name, noop)
    },
  },
}

async function run(count, read) {
  let next = 0
  const worker = async () => {
    while (next++ < count) {
      const res = await client.get(url)
      if (res.status !== 200 || (await res.arrayBuffer()).byteLength !== 200) {
        throw new Error(`unexpected response ${res.status}`)
      }
      if (read) {
        const t = res.timings
        sink += t.startTime + t.queued + (t.sent ?? 0) + t.firstByte + t.end + t.attempts
        sink += (t.dns ?? 0) + (t.connect ?? 0) + (t.tls ?? 0) + (t.reused ? 1 : 0)
        if (t.protocol !== 'h1') throw new Error(`unexpected protocol ${t.protocol}`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

for (const name of Object.keys(modes)) if (!name.includes(flags.filter)) delete modes[name]
const samples = Object.fromEntries(Object.keys(modes).map((name) => [name, []]))
await run(requests, true) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const [name, mode] of Object.entries(modes)) {
    mode.on()
    const cpu = process.cpuUsage()
    const start = performance.now()
    await run(requests, mode.read)
    const wall = performance.now() - start
    const used = process.cpuUsage(cpu)
    mode.off()
    samples[name].push({
      cpu: (used.user + used.system) / requests,
      rate: requests / (wall / 1000),
    })
  }
  process.stderr.write(`round ${round + 1}/${rounds}\n`)
}
await client.close()
server.stop()
if (Number.isNaN(sink)) throw new Error('a timings field was NaN')

const median = (values) => values.toSorted((a, b) => a - b)[values.length >> 1]
const baseName = 'timings not read'
const base = median((samples[baseName] ?? []).map((s) => s.cpu))
let out = `| mode | CPU µs/req (median of ${rounds}) | vs not read | req/s (median) |\n|---|--:|--:|--:|\n`
for (const [name, list] of Object.entries(samples)) {
  const cpu = median(list.map((s) => s.cpu))
  const rate = median(list.map((s) => s.rate))
  const delta = name === baseName ? '' : `${cpu >= base ? '+' : ''}${(cpu - base).toFixed(1)}`
  out += `| ${name} | ${cpu.toFixed(1)} | ${delta} | ${rate.toFixed(0)} |\n`
}
process.stdout.write(out)
