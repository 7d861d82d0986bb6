// What the binding's `request` call costs the JavaScript thread: the one synchronous crossing
// that starts a request (argument conversion, the request's header map, spawning its task),
// timed around each call while the Client runs GETs against crates/bench-server, by the
// number of request headers: none, `accept: */*` (what fetch adds), and six of an ordinary
// API call. The rounds alternate the three ways. The floor line is a binding method that does
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

// Time inside each call, by the length of its flat header list (two strings per header).
const timed = new Map()
const request = binding.NativeClient.prototype.request
binding.NativeClient.prototype.request = function (...args) {
  const start = process.hrtime.bigint()
  const result = request.apply(this, args)
  const ns = Number(process.hrtime.bigint() - start)
  const key = args[3].length / 2
  const entry = timed.get(key) ?? { calls: 0, ns: 0 }
  entry.calls++
  entry.ns += ns
  timed.set(key, entry)
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
const WAYS = [
  ['no header', undefined],
  ['accept: */*', { headers: { accept: '*/*' } }],
  ['six headers', { headers: SIX }],
]

const loadAtStart = os.loadavg()[0]
const { server, url, label } = await startServerNamed('hyper', 'h1', SIZE)
const client = new Client({
  limits: { maxConnections: concurrency, maxConnectionsPerHost: concurrency },
  decompress: false,
})
const getWith = (options) => async (target) => {
  const res = await client.get(target, options)
  return [res.status, (await res.arrayBuffer()).byteLength]
}
for (const [, options] of WAYS) await load(getWith(options), url, SIZE, requests / 2, concurrency)
const perRound = WAYS.map(() => [])
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0]
  for (const way of order) {
    timed.clear()
    await load(getWith(WAYS[way][1]), url, SIZE, requests, concurrency)
    const [entry] = timed.values()
    perRound[way].push({ ns: entry.ns / entry.calls })
  }
}
await client.close()
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
  '| request headers | ns per request call |',
  '|---|--:|',
  ...WAYS.map(([name], way) => `| ${name} | ${medianOf(perRound[way], 'ns').toFixed(0)} |`),
  '',
  `Floor: a binding method that does almost nothing (cancel of an unknown id) took ${medianOf(floor, 'ns').toFixed(0)} ns per call.`,
]
console.log(lines.join('\n'))
