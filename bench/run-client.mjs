// One client, one workload, in a process of its own so that CPU time and peak RSS are
// this client's alone. Spawned by compare.mjs (IPC channel) with a JSON config in argv[2]:
// { client, url, origin, method, size, body? | bodyFile?, contentType, requests, durationS?,
//   concurrency, warmup, warmupS, reps, protocol, ca? }.
// Each request is `method url` with the body (a string, or the bytes of bodyFile) if any;
// a 2xx status and a body of exactly `size` bytes (any length when size is null) count as
// success. A repetition is `requests` requests, or as many as `durationS` seconds allow.
// Sends { type: 'phase' } messages while it runs and one { type: 'result' } (or
// { type: 'skip', reason }) at the end. bench/python/run_client.py keeps the same contract.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { CLIENTS, Skip, typedHeaders } from './clients.mjs'

const config = JSON.parse(process.argv[2])
const send = (message) => process.send?.(message)

let client
try {
  client = await CLIENTS[config.client]({
    connections: config.concurrency,
    protocol: config.protocol,
    ca: config.ca,
    origin: config.origin,
    typed: typedHeaders(config.contentType),
  })
} catch (error) {
  // A peer client whose package is missing or does not load here is skipped, not failed;
  // hyperhttp's own rows always fail loudly.
  if (!(error instanceof Skip) && config.client.startsWith('hyperhttp')) throw error
  const reason = error instanceof Skip ? error.message : `could not load: ${error.message}`
  process.send({ type: 'skip', reason: reason.split('\n')[0] }, () => process.exit(0))
  await new Promise(() => {})
}
const body = config.bodyFile ? readFileSync(config.bodyFile) : config.body
const call =
  config.method === 'GET' && body === undefined
    ? () => client.get(config.url)
    : () => client.send(config.method, config.url, body)

send({ type: 'phase', phase: 'warm-up' })
await load(config.warmup, config.warmupS)

const reps = []
for (let rep = 1; rep <= config.reps; rep++) {
  send({ type: 'phase', phase: `rep ${rep}/${config.reps}` })
  reps.push(await load(config.durationS ? Number.POSITIVE_INFINITY : config.requests))
}
const maxRssMb = process.resourceUsage().maxRSS / 1024
await client.close()
send({ type: 'result', reps, maxRssMb })

// Runs `total` requests (Infinity: until `durationS` has passed), and more until `minS` seconds
// have passed, `concurrency` at a time; every body is read and its length checked.
async function load(total, minS = 0) {
  const timed = !Number.isFinite(total)
  // Sized for the count, or grown as needed for a timed repetition.
  let latencies = new Float64Array(timed ? 65536 : total)
  const outcome = {
    errors: 0,
    shortBodies: 0,
    badStatus: 0,
    firstError: undefined,
  }
  let next = 0
  let deadline = Number.POSITIVE_INFINITY
  let minimum = 0

  async function worker() {
    while ((next < total || performance.now() < minimum) && performance.now() < deadline) {
      const i = next++
      if (i >= latencies.length) {
        const grown = new Float64Array(latencies.length * 2)
        grown.set(latencies)
        latencies = grown
      }
      const start = performance.now()
      try {
        const [status, length] = await call()
        const ok = status >= 200 && status <= 299
        if (!ok) outcome.badStatus++
        else if (config.size !== null && length !== config.size) outcome.shortBodies++
        if (!ok || (config.size !== null && length !== config.size)) {
          outcome.firstError ??= `status ${status}, body ${length} of ${config.size ?? 'any'} bytes`
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
  if (timed) deadline = start + config.durationS * 1000
  minimum = start + minS * 1000
  const workers = minS > 0 ? config.concurrency : Math.min(config.concurrency, total)
  await Promise.all(Array.from({ length: workers }, worker))
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)

  const done = latencies.subarray(0, next).sort()
  return {
    ...outcome,
    requests: next,
    reqPerSec: next / (elapsedMs / 1000),
    p50: percentile(done, 50),
    p95: percentile(done, 95),
    p99: percentile(done, 99),
    cpuUsPerReq: (cpu.user + cpu.system) / next,
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
