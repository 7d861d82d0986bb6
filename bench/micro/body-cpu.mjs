// CPU time (user + system of the whole process, engine threads included) per request while
// reading response bodies: steadier than wall time on a loaded machine. Compare two builds by
// pointing --dist at another checkout's dist/esm.
//
//   node bench/micro/body-cpu.mjs [--dist dist/esm] [--requests 3000]
import path from 'node:path'
import { count, parseFlags } from '../flags.mjs'
import { startServer } from '../spawn-server.mjs'

const TOOL = 'bench/micro/body-cpu.mjs'
const flags = parseFlags(TOOL, {
  dist: { type: 'string', default: path.join(import.meta.dirname, '../../dist/esm') },
  requests: { type: 'string', default: '3000' },
})

const requestsFlag = count(TOOL, 'requests', flags.requests)
const MIB = 1024 * 1024
const { Client } = await import(path.resolve(flags.dist, 'index.js'))
const server = await startServer()
const origin = `http://127.0.0.1:${server.port}`
const client = new Client({ decompress: false, retry: false, circuitBreaker: false })

const cases = [
  ['GET 200 B, text()', `${origin}/bytes/200`, 1, (res) => res.text()],
  ['GET 10 KiB, for await of res.body', `${origin}/bytes/${10 * 1024}`, 1, drain],
  ['GET 1 MiB, for await of res.body', `${origin}/bytes/${MIB}`, 10, drain],
]

console.log(`| case (${flags.dist}) | CPU µs per request |`)
console.log('|---|--:|')
for (const [name, url, cost, read] of cases) {
  const requests = Math.ceil(requestsFlag / cost)
  for (let i = 0; i < requests / 3; i++) await read(await client.get(url))
  const start = process.cpuUsage()
  for (let i = 0; i < requests; i++) await read(await client.get(url))
  const used = process.cpuUsage(start)
  console.log(`| ${name} | ${((used.user + used.system) / requests).toFixed(1)} |`)
}
await client.close()
server.stop()

async function drain(res) {
  for await (const _ of res.body) {
    // only the reading is measured
  }
}
