// What the binding's `request` call costs the JavaScript thread: the one synchronous crossing
// that starts a request (argument conversion, the request's header map, spawning its task),
// timed around each call while a Client runs GETs against crates/bench-server, by the
// headers a request sends: none, `accept: */*` given per request, six of an ordinary API call
// given per request, the same six as the Client's default headers (`headers` option, parsed by
// the engine once since December 2026), forty default headers (the engine holds 32 of a
// client's; the rest cross with each request), and `client.fetch`, which adds `accept: */*`
// as a default. The rounds alternate the ways. The floor line is a binding method that does
// almost nothing (`cancel` of an unknown id): what any call through napi-rs costs.
// HYPERHTTP_BENCH_BUILD measures another build, as with compare.mjs.
//
//   node bench/micro/request-call.mjs [--concurrency 64] [--requests 20000] [--rounds 6]
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { hyperhttpBuild } from '../clients.mjs'
import { count, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServerNamed } from '../nginx.mjs'
import { load, machineLine } from './cpu-load.mjs'

const TOOL = 'bench/micro/request-call.mjs'
const flags = parseFlags(TOOL, {
  concurrency: { type: 'string', default: '64' },
  requests: { type: 'string', default: '20000' },
  rounds: { type: 'string', default: '6' },
})
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const requests = count(TOOL, 'requests', flags.requests)
const rounds = count(TOOL, 'rounds', flags.rounds)
const SIZE = 200

const root = hyperhttpBuild() ?? path.join(import.meta.dirname, '../..')
const binding = createRequire(import.meta.url)(path.join(root, 'index.cjs'))
const { Client } = await import(pathToFileURL(path.join(root, 'dist/esm/index.js')).href)

// Time inside each call, summed for the way being measured.
let timed = { calls: 0, ns: 0 }
const request = binding.NativeClient.prototype.request
binding.NativeClient.prototype.request = function (...args) {
  const start = process.hrtime.bigint()
  const result = request.apply(this, args)
  timed.ns += Number(process.hrtime.bigint() - start)
  timed.calls++
  return result
}

const SIX = {
  'user-agent': 'my-app/1.2.3',
  accept: 'application/json',
  authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789',
  'x-request-id': '6f1c2a9e-0b7d-4c1e-9a55-3e2f7c8d9b10',
  'accept-language': 'en-US,en;q=0.9',
  'cache-control': 'no-cache',
}
const limits = { maxConnections: concurrency, maxConnectionsPerHost: concurrency }
const client = new Client({ limits, decompress: false })
const withDefaults = new Client({ limits, decompress: false, headers: SIX })
// More defaults than a header set holds (32): the engine holds the first 32, the rest cross.
const FORTY = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-default-${i}`, `v${i}`]))
const withForty = new Client({ limits, decompress: false, headers: FORTY })
const read = async (res) => [res.status, (await res.arrayBuffer()).byteLength]
const WAYS = [
  ['no header', (target) => client.get(target).then(read)],
  [
    'accept: */* per request',
    (target) => client.get(target, { headers: { accept: '*/*' } }).then(read),
  ],
  ['six headers per request', (target) => client.get(target, { headers: SIX }).then(read)],
  ['six default headers', (target) => withDefaults.get(target).then(read)],
  ['forty default headers', (target) => withForty.get(target).then(read)],
  ['fetch (accept: */* by default)', (target) => client.fetch(target).then(read)],
  ['timeout per request', (target) => client.get(target, { timeout: 30_000 }).then(read)],
]

const loadAtStart = os.loadavg()[0]
const { server, url, label } = await startServerNamed('hyper', 'h1', SIZE)
for (const [, get] of WAYS) await load(get, url, SIZE, requests / 2, concurrency)
const perRound = WAYS.map(() => [])
const ways = WAYS.map((_, way) => way)
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ways : ways.toReversed()
  for (const way of order) {
    timed = { calls: 0, ns: 0 }
    await load(WAYS[way][1], url, SIZE, requests, concurrency)
    perRound[way].push({ ns: timed.ns / timed.calls })
  }
}
await client.close()
await withDefaults.close()
await withForty.close()
server.stop()

const idle = new binding.NativeClient({}, () => {})
const floor = []
for (let round = 0; round < rounds; round++) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < 200_000; i++) idle.cancel(0x7fffffff)
  floor.push({ ns: Number(process.hrtime.bigint() - start) / 200_000 })
}
idle.close()

const lines = [
  `## The binding's request call, GET ${SIZE} B, h1, concurrency ${concurrency}`,
  '',
  machineLine(loadAtStart),
  `- ${rounds} rounds of ${requests} requests per way, alternating (order flipped each round), median shown; server: ${label} in its own process`,
  '',
  '| request | ns per request call |',
  '|---|--:|',
  ...WAYS.map(([name], way) => `| ${name} | ${medianOf(perRound[way], 'ns').toFixed(0)} |`),
  '',
  `Floor: a binding method that does almost nothing (cancel of an unknown id) took ${medianOf(floor, 'ns').toFixed(0)} ns per call.`,
]
console.log(lines.join('\n'))
