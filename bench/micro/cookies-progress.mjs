// What a cookie jar and progress callbacks cost per request: CPU time of the whole process
// (process.cpuUsage, user + system, engine threads included) per GET, 64 in flight. Cookie
// modes fetch 200 B through a client without a jar, with the engine's jar, and with a
// tough-cookie jar in JavaScript (one COOKIE round trip per hop); progress modes fetch 1 MiB
// without and with onDownloadProgress. Modes alternate round by round so machine load hits
// each alike; the median round is reported.
//
//   node bench/micro/cookies-progress.mjs [--rounds 7] [--requests 2000] [--filter text]
import { CookieJar } from 'tough-cookie'
import { count, matching, parseFlags } from '../flags.mjs'
import { medianOf } from '../limit.mjs'
import { startServer } from '../spawn-server.mjs'

const IN_FLIGHT = 64
const TOOL = 'bench/micro/cookies-progress.mjs'
const flags = parseFlags(TOOL, {
  rounds: { type: 'string', default: '7' },
  requests: { type: 'string', default: '2000' },
  filter: { type: 'string', default: '' },
})
const rounds = count(TOOL, 'rounds', flags.rounds)
const requests = count(TOOL, 'requests', flags.requests)

const { Client } = await import('../../dist/esm/index.js')
const server = await startServer()
const origin = `http://127.0.0.1:${server.port}`
const settings = {
  decompress: false,
  limits: { maxConnectionsPerHost: IN_FLIGHT },
  retry: false,
  circuitBreaker: false,
}
let reports = 0
const onDownloadProgress = () => {
  reports += 1
}
const plain = new Client(settings)
const modes = {
  '200 B, no cookie jar': { client: plain, size: 200 },
  '200 B, cookieJar: true (engine)': {
    client: new Client({ ...settings, cookieJar: true }),
    size: 200,
  },
  '200 B, tough-cookie jar': {
    client: new Client({ ...settings, cookieJar: new CookieJar() }),
    size: 200,
  },
  '1 MiB, no progress callback': { client: plain, size: 1 << 20 },
  '1 MiB, onDownloadProgress': { client: plain, size: 1 << 20, options: { onDownloadProgress } },
}

async function run({ client, size, options }, count) {
  let next = 0
  const worker = async () => {
    while (next++ < count) {
      const res = await client.get(`${origin}/bytes/${size}`, options)
      if (res.status !== 200 || (await res.arrayBuffer()).byteLength !== size) {
        throw new Error(`unexpected response ${res.status}`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

const chosen = matching(TOOL, Object.keys(modes), flags.filter)
const samples = Object.fromEntries(chosen.map((name) => [name, []]))
for (const name of chosen) await run(modes[name], requests / 4) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const name of chosen) {
    const cpu = process.cpuUsage()
    const start = performance.now()
    await run(modes[name], requests)
    const wall = performance.now() - start
    const used = process.cpuUsage(cpu)
    samples[name].push({
      cpu: (used.user + used.system) / requests,
      rate: requests / (wall / 1000),
    })
  }
  process.stderr.write(`round ${round + 1}/${rounds}\n`)
}
for (const client of new Set(Object.values(modes).map((mode) => mode.client))) await client.close()
server.stop()

let out = `| mode | CPU µs/req (median of ${rounds}) | req/s (median) |\n|---|--:|--:|\n`
for (const [name, list] of Object.entries(samples)) {
  out += `| ${name} | ${medianOf(list, 'cpu').toFixed(1)} | ${medianOf(list, 'rate').toFixed(0)} |\n`
}
out += `\nprogress reports: ${reports} for ${(rounds + 0.25) * requests} 1 MiB downloads\n`
process.stdout.write(out)
