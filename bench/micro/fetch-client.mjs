// `client.fetch(url)` against the Client's `client.get(url)` (each followed by arrayBuffer(),
// exactly the calls of compare.mjs's hyperhttp-fetch and hyperhttp-request rows), in ONE
// process with the two ways alternating round by round and the order flipped every round. The
// harness runs each row in a process of its own, one after the other, so a machine whose speed
// drifts (or the position of a row in the run) shows up there as a difference between the
// rows; here it affects both ways alike. CPU time is user + system of the whole process
// (engine threads included); "JS thread" is the JavaScript thread alone. HYPERHTTP_BENCH_BUILD
// measures another build, as with compare.mjs.
//
//   node bench/micro/fetch-client.mjs [--protocol h1|tls|h2] [--server hyper|nginx] [--size 200]
//                                     [--concurrency 64] [--requests 3000] [--rounds 10]
import os from 'node:os'
import { CLIENTS, typedHeaders } from '../clients.mjs'
import { bytes, count, oneOf, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { SERVER_NAMES, startServerNamed } from '../nginx.mjs'
import { machineLine, load as measure } from './cpu-load.mjs'

const TOOL = 'bench/micro/fetch-client.mjs'
const flags = parseFlags(TOOL, {
  protocol: { type: 'string', default: 'h1' },
  server: { type: 'string', default: 'hyper' },
  size: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '64' },
  requests: { type: 'string', default: '3000' },
  rounds: { type: 'string', default: '10' },
})
const { protocol } = flags
const serverName = oneOf(TOOL, 'server', flags.server, SERVER_NAMES)
const size = bytes(TOOL, 'size', flags.size)
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const requests = count(TOOL, 'requests', flags.requests)
const rounds = count(TOOL, 'rounds', flags.rounds)
const WAYS = { Client: 'hyperhttp-request', fetch: 'hyperhttp-fetch' }

const loadAtStart = os.loadavg()[0]
const { server, url, tls, label } = await startServerNamed(serverName, protocol, size)
const clients = {}
for (const [way, name] of Object.entries(WAYS)) {
  clients[way] = await CLIENTS[name]({
    connections: concurrency,
    protocol,
    ca: tls?.ca,
    typed: typedHeaders('application/json'),
  })
}

const samples = { Client: [], fetch: [] }
for (const way of Object.keys(WAYS)) await load(clients[way], Math.max(500, requests / 2))
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['Client', 'fetch'] : ['fetch', 'Client']
  for (const way of order) samples[way].push(await load(clients[way], requests))
}
for (const client of Object.values(clients)) await client.close()
server.stop()

const lines = [
  `## client.fetch against the Client (get), ${size} B, ${protocol}, concurrency ${concurrency}`,
  '',
  machineLine(loadAtStart),
  `- ${rounds} rounds of ${requests} requests per way, alternating (order flipped each round), median shown; server: ${label} in its own process`,
  '',
  '| way | CPU µs/req | JS thread µs/req | req/s |',
  '|---|--:|--:|--:|',
]
for (const way of Object.keys(WAYS)) {
  const s = samples[way]
  lines.push(
    `| ${way} | ${medianOf(s, 'cpu').toFixed(1)} | ${medianOf(s, 'js').toFixed(1)} | ${medianOf(s, 'rate').toFixed(0)} |`,
  )
}
// Ratios of the round pairs (each pair ran back to back), so drift between rounds cancels.
const ratio = (field) =>
  medianOf(
    samples.fetch.map((s, i) => ({ r: s[field] / samples.Client[i][field] })),
    'r',
  ).toFixed(3)
lines.push(
  '',
  `fetch / Client, median of the round pairs: CPU ${ratio('cpu')}, JS thread ${ratio('js')}, req/s ${ratio('rate')}`,
)
process.stdout.write(`${lines.join('\n')}\n`)

function load(client, total) {
  return measure((target) => client.get(target), url, size, total, concurrency)
}
