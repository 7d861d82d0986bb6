// What the alternating micro-benchmarks measure per round: `requests` GETs of `url`, at most
// `concurrency` in flight, each answered by `get(url)` with [status, body length] and checked.
// CPU time is user + system of the whole process (engine threads included); `js` is the
// JavaScript thread alone (process.threadCpuUsage).
import os from 'node:os'
import { performance } from 'node:perf_hooks'

export async function load(get, url, size, requests, concurrency) {
  let next = 0
  const cpu = process.cpuUsage()
  const js = process.threadCpuUsage()
  const start = performance.now()
  async function worker() {
    while (next < requests) {
      next++
      expectAnswer(await get(url), size)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  const jsUsed = process.threadCpuUsage(js)
  return {
    cpu: (used.user + used.system) / requests,
    js: (jsUsed.user + jsUsed.system) / requests,
    rate: (requests * 1000) / wall,
  }
}

// Throws unless a client row's answer, [status, body length], is 200 with `size` bytes.
export function expectAnswer([status, length], size) {
  if (status !== 200 || length !== size) {
    throw new Error(`status ${status}, body ${length} of ${size} bytes`)
  }
}

// The machine line of an alternating micro-benchmark's report: Node, processors, and the load
// average at its start (`os.loadavg()[0]` read then) and now.
export function machineLine(loadAtStart) {
  return `- Node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`
}
