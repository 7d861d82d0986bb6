// One client, one body size, in a process of its own so that CPU time and peak RSS are
// this client's alone. Spawned by compare.mjs (IPC channel) with a JSON config in argv[2]:
// { client, url, origin, size, post?, requests, concurrency, warmup, reps, protocol, ca? }.
// With `post` set, each request POSTs a JSON body of `size` bytes to `url` (an echo route)
// and expects the same length back. Sends { type: 'phase' } messages while it runs and one
// { type: 'result' } (or { type: 'skip', reason }) at the end.
import { performance } from 'node:perf_hooks'
import { CLIENTS, Skip } from './clients.mjs'

const config = JSON.parse(process.argv[2])
const send = (message) => process.send?.(message)

let client
try {
  client = await CLIENTS[config.client]({
    connections: config.concurrency,
    protocol: config.protocol,
    ca: config.ca,
    origin: config.origin,
  })
} catch (error) {
  // A peer client whose package is missing or does not load here is skipped, not failed;
  // hyperhttp's own rows always fail loudly.
  if (!(error instanceof Skip) && config.client.startsWith('hyperhttp')) throw error
  const reason = error instanceof Skip ? error.message : `could not load: ${error.message}`
  process.send({ type: 'skip', reason: reason.split('\n')[0] }, () => process.exit(0))
  await new Promise(() => {})
}
const body = config.post ? jsonBody(config.size) : undefined
const call = body ? () => client.post(config.url, body) : () => client.get(config.url)

send({ type: 'phase', phase: 'warm-up' })
await load(config.warmup)

const reps = []
for (let rep = 1; rep <= config.reps; rep++) {
  send({ type: 'phase', phase: `rep ${rep}/${config.reps}` })
  reps.push(await load(config.requests))
}
const maxRssMb = process.resourceUsage().maxRSS / 1024
await client.close()
send({ type: 'result', reps, maxRssMb })

// Runs `total` requests, `concurrency` at a time; every body is read and its length checked.
async function load(total) {
  const latencies = new Float64Array(total)
  const outcome = {
    errors: 0,
    shortBodies: 0,
    badStatus: 0,
    firstError: undefined,
  }
  let next = 0

  async function worker() {
    while (next < total) {
      const i = next++
      const start = performance.now()
      try {
        const [status, length] = await call()
        if (status !== 200) outcome.badStatus++
        else if (length !== config.size) outcome.shortBodies++
        if (status !== 200 || length !== config.size) {
          outcome.firstError ??= `status ${status}, body ${length} of ${config.size} bytes`
        }
      } catch (error) {
        outcome.errors++
        outcome.firstError ??= describe(error)
      }
      latencies[i] = performance.now() - start
    }
  }

  const cpuStart = process.cpuUsage()
  const start = performance.now()
  await Promise.all(Array.from({ length: Math.min(config.concurrency, total) }, worker))
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)

  latencies.sort()
  return {
    ...outcome,
    reqPerSec: total / (elapsedMs / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    cpuUsPerReq: (cpu.user + cpu.system) / total,
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function describe(error) {
  let text = `${error?.name ?? 'Error'}${error?.code ? ` ${error.code}` : ''}: ${error?.message ?? error}`
  if (error?.cause) text += ` (cause: ${describe(error.cause)})`
  return text
}

// A JSON document of exactly `size` bytes (ASCII): {"data":"xxx…"}.
function jsonBody(size) {
  const text = JSON.stringify({ data: 'x'.repeat(Math.max(0, size - 11)) })
  if (text.length !== size) throw new Error(`JSON body of ${size} bytes not possible`)
  return text
}
