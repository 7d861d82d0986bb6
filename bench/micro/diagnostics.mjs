// What diagnostics_channel subscribers cost per request: CPU time of the JavaScript thread
// (process.cpuUsage, user + system, all threads of this process) per GET 200 B, 64 in flight,
// with no subscriber, with no-op subscribers on every hyperhttp and undici request channel
// (the bridge's own cost), and with @opentelemetry/instrumentation-undici recording spans
// into memory (what an instrumented application pays, mostly OpenTelemetry itself); then with
// no-op subscribers on the six connection channels (the engine reports connections, each
// response publishes undici:client:sendHeaders), and with every `response.timings` field read.
// Modes alternate round by round so machine load hits each alike; the median round is reported.
//
//   node bench/micro/diagnostics.mjs [--rounds 9] [--requests 4000] [--filter text]
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { count, matching, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServer } from '../spawn-server.mjs'

const IN_FLIGHT = 64
const CHANNELS = [
  'hyperhttp:request:create',
  'hyperhttp:request:headers',
  'hyperhttp:request:error',
  'hyperhttp:request:end',
  'undici:request:create',
  'undici:request:headers',
  'undici:request:trailers',
  'undici:request:error',
]
const CONNECTION_CHANNELS = [
  'hyperhttp:connection:open',
  'hyperhttp:connection:close',
  'hyperhttp:connection:error',
  'undici:client:connected',
  'undici:client:connectError',
  'undici:client:sendHeaders',
]

const TOOL = 'bench/micro/diagnostics.mjs'
const flags = parseFlags(TOOL, {
  rounds: { type: 'string', default: '9' },
  requests: { type: 'string', default: '4000' },
  filter: { type: 'string', default: '' },
})
const rounds = count(TOOL, 'rounds', flags.rounds)
const requests = count(TOOL, 'requests', flags.requests)

const { Client } = await import('../../dist/esm/index.js')
const server = await startServer()
const url = `http://127.0.0.1:${server.port}/bytes/200`
const client = new Client({
  decompress: false,
  limits: { maxConnectionsPerHost: IN_FLIGHT },
  retry: false,
  circuitBreaker: false,
})

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
trace.setGlobalTracerProvider(provider)
// Constructed enabled (`enabled: false` would also make it skip requests once enabled).
const instrumentation = new UndiciInstrumentation()
instrumentation.disable()

const noop = () => {}
const modes = {
  'no subscriber': { on: noop, off: noop },
  'no-op subscribers on all 8 channels': {
    on: () => {
      for (const name of CHANNELS) subscribe(name, noop)
    },
    off: () => {
      for (const name of CHANNELS) unsubscribe(name, noop)
    },
  },
  'OpenTelemetry undici instrumentation (in-memory exporter)': {
    on: () => instrumentation.enable(),
    off: () => {
      instrumentation.disable()
      const spans = exporter.getFinishedSpans().length
      if (spans !== requests) throw new Error(`${spans} spans for ${requests} requests`)
      exporter.reset()
    },
  },
  'no-op subscribers on the 6 connection channels': {
    on: () => {
      for (const name of CONNECTION_CHANNELS) subscribe(name, noop)
    },
    off: () => {
      for (const name of CONNECTION_CHANNELS) unsubscribe(name, noop)
    },
  },
  'every response.timings field read': { on: noop, off: noop, readTimings: true },
}

let sink = 0
/** Reads every field, as a user logging timings would. */
function readTimings(t) {
  sink += t.startTime + t.queued + (t.sent ?? 0) + t.firstByte + t.end + t.attempts
  sink += (t.dns ?? 0) + (t.connect ?? 0) + (t.tls ?? 0) + (t.reused ? 1 : 0)
  if (t.protocol !== 'h1' || Number.isNaN(sink)) throw new Error(`unexpected timings ${t}`)
}

async function run(count, read = false) {
  let next = 0
  const worker = async () => {
    while (next++ < count) {
      const res = await client.get(url)
      if (res.status !== 200 || (await res.arrayBuffer()).byteLength !== 200) {
        throw new Error(`unexpected response ${res.status}`)
      }
      if (read) readTimings(res.timings)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

const chosen = matching(TOOL, Object.keys(modes), flags.filter)
const samples = Object.fromEntries(chosen.map((name) => [name, []]))
await run(requests) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const name of chosen) {
    const mode = modes[name]
    mode.on()
    const cpu = process.cpuUsage()
    const start = performance.now()
    await run(requests, mode.readTimings === true)
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

const base = medianOf(samples['no subscriber'] ?? [], 'cpu')
let out = `| mode | CPU µs/req (median of ${rounds}) | vs none | req/s (median) |\n|---|--:|--:|--:|\n`
for (const [name, list] of Object.entries(samples)) {
  const cpu = medianOf(list, 'cpu')
  const rate = medianOf(list, 'rate')
  const delta = name === 'no subscriber' ? '' : `+${(cpu - base).toFixed(1)}`
  out += `| ${name} | ${cpu.toFixed(1)} | ${delta} | ${rate.toFixed(0)} |\n`
}
process.stdout.write(out)
