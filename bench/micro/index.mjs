// Micro-benchmarks of the native boundary (tinybench). The load server runs in a child
// process so it never competes with the measured code for the JavaScript thread.
//
//   node bench/micro/index.mjs [--time 1000] [--filter text]
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import { Bench } from 'tinybench'
import { matching, parseFlags, positive } from '../flags.mjs'
import { startServer } from '../spawn-server.mjs'
import { NativeDriver } from './native-driver.mjs'

const IN_FLIGHT = 64
const MIB = 1024 * 1024

const TOOL = 'bench/micro/index.mjs'
const flags = parseFlags(TOOL, {
  time: { type: 'string', default: '1000' },
  filter: { type: 'string', default: '' },
})

const loadAtStart = os.loadavg()[0]
const server = await startServer()
const origin = `http://127.0.0.1:${server.port}`
const refusedOrigin = `http://127.0.0.1:${await closedPort()}`
const time = positive(TOOL, 'time', flags.time)
const bench = new Bench({ time, warmupTime: 250 })
const skipped = []
const notes = new Set()
const cleanups = []
const stallMs = time * 5 + 30_000
// Every case's name, registered or not, for --filter's answer when none matches.
const names = []
let watchdog

await addNativeCases()
await addFacadeCases()
await addResponseCases()
await addReferenceCases()
matching(TOOL, names, flags.filter)

bench.addEventListener('cycle', (event) => {
  process.stderr.write(`done: ${event.task.name}\n`)
})
for (const task of bench.tasks) {
  task.addEventListener('warmup', () => watch(`${task.name} (warm-up)`))
  task.addEventListener('start', () => watch(task.name))
}
await bench.run()
clearTimeout(watchdog)
for (const cleanup of cleanups) await cleanup()
server.stop()
process.stdout.write(report())

async function addNativeCases() {
  let binding
  try {
    binding = createRequire(import.meta.url)('../../index.cjs')
  } catch (error) {
    return skipped.push(`native cases: cannot load the binding: ${error.message.split('\n')[0]}`)
  }
  // One attempt per request, so the error case times one error, not a retry schedule.
  const native = new NativeDriver(binding, {
    decompress: false,
    maxConnectionsPerHost: IN_FLIGHT,
    maxRetries: 0,
  })
  cleanups.push(() => native.close())

  add('native: empty round trip (HEAD, 0 B)', async () => {
    expect(await native.request('HEAD', `${origin}/bytes/0`), 0)
  })
  add('native: GET 200 B inlined, 1 in flight', async () => {
    expect(await native.request('GET', `${origin}/bytes/200`), 200)
  })
  add(`native: GET 200 B inlined, ${IN_FLIGHT} in flight (per request)`, () =>
    perRequest(IN_FLIGHT, async () => {
      expect(await native.request('GET', `${origin}/bytes/200`), 200)
    }),
  )
  add('native: GET 1 MiB streamed via read(id)', async () => {
    const reads = native.reads
    expect(await native.request('GET', `${origin}/bytes/${MIB}`), MIB)
    if (native.reads === reads)
      notes.add('the 1 MiB body came inlined in HEAD: read(id) not exercised')
  })
  add('native: connection refused (ERROR record)', async () => {
    await expectError(native.request('GET', `${refusedOrigin}/`), 'ERR_CONNECT')
  })
}

async function addFacadeCases() {
  let Client
  try {
    ;({ Client } = await import('../../dist/esm/index.js'))
  } catch (error) {
    return skipped.push(`facade cases: cannot load dist/esm: ${error.message.split('\n')[0]}`)
  }
  // No retries and no circuit breaker: the error case times one error, not a backoff
  // schedule or a breaker's instant refusal.
  const client = new Client({
    decompress: false,
    limits: { maxConnectionsPerHost: IN_FLIGHT },
    retry: false,
    circuitBreaker: false,
  })
  cleanups.push(() => client.close())
  const get200 = async () => {
    const res = await client.get(`${origin}/bytes/200`)
    expect([res.status, (await res.arrayBuffer()).byteLength], 200)
    return res
  }

  add('facade: GET 200 B, headers untouched', get200)
  add("facade: GET 200 B + headers.get('content-type')", async () => {
    const res = await get200()
    if (res.headers.get('content-type') !== 'application/octet-stream') {
      throw new Error(`unexpected content-type ${res.headers.get('content-type')}`)
    }
  })
  add("facade: first headers.get('content-type') on a fresh Response", async () => {
    const start = performance.now()
    const responses = await Promise.all(Array.from({ length: IN_FLIGHT }, get200))
    const timed = performance.now()
    for (const res of responses) res.headers.get('content-type')
    const end = performance.now()
    return {
      overriddenDuration: (end - timed) / IN_FLIGHT,
      overriddenIterationCost: end - start,
    }
  })
  add('facade: connection refused (ConnectError)', async () => {
    await expectError(client.get(`${refusedOrigin}/`), 'ERR_CONNECT')
  })
}

// What user code pays for a Response object and for reading its body as a stream.
async function addResponseCases() {
  let hyperhttp
  try {
    hyperhttp = await import('../../dist/esm/index.js')
  } catch (error) {
    return skipped.push(`response cases: cannot load dist/esm: ${error.message.split('\n')[0]}`)
  }
  const client = new hyperhttp.Client({
    decompress: false,
    limits: { maxConnectionsPerHost: IN_FLIGHT },
    retry: false,
    circuitBreaker: false,
  })
  cleanups.push(() => client.close())
  const body = Buffer.alloc(200, 97)
  const rawHeaders = ['content-type', 'application/octet-stream', 'content-length', '200'].join(
    '\0',
  )
  add('response: new hyperhttp Response (200 B inline body)', () => {
    newHyperResponse(hyperhttp.Response, rawHeaders, body)
  })
  add('response: new globalThis.Response (200 B body, 2 headers)', () => {
    new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '200' },
    })
  })
  // A fresh buffer each time, as the engine delivers: a byte stream takes over what it reads.
  add('response: read a 10 KiB inline body with body.getReader()', async () => {
    const res = newHyperResponse(hyperhttp.Response, rawHeaders, Buffer.allocUnsafeSlow(10 * 1024))
    expect([res.status, await readDefault(res.body)], 10 * 1024)
  })
  const { StreamedBody } = await import('../../dist/esm/streamed-body.js')
  add('response: read a 1 MiB body pulled in 16 chunks, for await (no network)', async () => {
    const res = newHyperResponse(hyperhttp.Response, rawHeaders, pulledBody(StreamedBody, 16))
    let length = 0
    for await (const chunk of res.body) length += chunk.byteLength
    expect([res.status, length], MIB)
  })
  add('facade: GET 10 KiB (inline), read res.body with getReader()', async () => {
    const res = await client.get(`${origin}/bytes/${10 * 1024}`)
    expect([res.status, await readDefault(res.body)], 10 * 1024)
  })
  add('facade: GET 1 MiB (streamed), read res.body with for await', async () => {
    const res = await client.get(`${origin}/bytes/${MIB}`)
    let length = 0
    for await (const chunk of res.body) length += chunk.byteLength
    expect([res.status, length], MIB)
  })
  add('facade: GET 1 MiB (streamed), read res.body with a BYOB reader (64 KiB view)', async () => {
    const res = await client.get(`${origin}/bytes/${MIB}`)
    const reader = res.body.getReader({ mode: 'byob' })
    let length = 0
    let view = new Uint8Array(64 * 1024)
    for (let read = await reader.read(view); !read.done; read = await reader.read(view)) {
      length += read.value.byteLength
      view = new Uint8Array(read.value.buffer)
    }
    expect([res.status, length], MIB)
  })
}

/** Creates a Response the way the dispatcher does for a complete 200 B body. */
function newHyperResponse(Response, rawHeaders, body) {
  const head = {
    status: 200,
    statusText: 'OK',
    rawHeaders,
    url: 'http://127.0.0.1/',
    redirected: false,
    attempts: 1,
  }
  return new Response(head, body, null)
}

/**
 * A streamed body whose engine answers each pull at once with a fresh chunk (a byte stream
 * takes over what it reads), so only the JavaScript side of reading is timed.
 */
function pulledBody(StreamedBody, count) {
  const size = MIB / count
  let sent = 0
  const engine = {
    pull(_exchange, body) {
      sent += 1
      body.deliver(Buffer.allocUnsafeSlow(size), sent === count)
    },
  }
  return new StreamedBody(engine, {}, undefined)
}

async function readDefault(stream) {
  const reader = stream.getReader()
  let length = 0
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.byteLength
  }
  return length
}

async function addReferenceCases() {
  const { Agent, request } = await import('undici')
  const dispatcher = new Agent({ connections: IN_FLIGHT })
  cleanups.push(() => dispatcher.close())
  add('reference: undici request GET 200 B, 1 in flight', async () => {
    const { statusCode, body } = await request(`${origin}/bytes/200`, { dispatcher })
    expect([statusCode, (await body.arrayBuffer()).byteLength], 200)
  })
}

// A request that never completes would stall tinybench forever: say which case, and stop.
function watch(what) {
  clearTimeout(watchdog)
  watchdog = setTimeout(() => {
    process.stderr.write(`micro: ${what} made no progress for ${stallMs / 1000} s\n`)
    process.exit(1)
  }, stallMs).unref()
}

function add(name, fn) {
  names.push(name)
  if (name.includes(flags.filter)) bench.add(name, fn)
}

// Runs `count` requests at once; the sample is the wall time divided by `count`.
async function perRequest(count, fn) {
  const start = performance.now()
  await Promise.all(Array.from({ length: count }, fn))
  const elapsed = performance.now() - start
  return { overriddenDuration: elapsed / count, overriddenIterationCost: elapsed }
}

function expect([status, length], size) {
  if (status !== 200 || length !== size) {
    throw new Error(`status ${status}, body ${length} of ${size} bytes`)
  }
}

async function expectError(promise, code) {
  try {
    await promise
  } catch (error) {
    if (error.code === code) return
    throw new Error(`expected ${code}, got ${error.code}: ${error.message}`)
  }
  throw new Error(`expected ${code}, got a response`)
}

async function closedPort() {
  const probe = net.createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

function report() {
  const cpu = os.cpus()
  const lines = [
    '## hyperhttp micro-benchmarks: the native boundary',
    '',
    `- Node ${process.version} (${process.platform} ${process.arch}), CPU: ${cpu[0]?.model.trim()} × ${cpu.length}, load average ${loadAtStart.toFixed(2)} at start`,
    '- Server: bench/server.mjs (node:http) in its own process on 127.0.0.1',
    `- tinybench, ${flags.time} ms per case after a 250 ms warm-up; ops/s = 1000 / mean`,
    '',
    '| case | ops/s | mean µs | p50 µs | p99 µs | samples |',
    '|---|--:|--:|--:|--:|--:|',
  ]
  const errors = []
  for (const task of bench.tasks) {
    const { result } = task
    if (result.state !== 'completed') {
      lines.push(`| ${task.name} | failed | | | | |`)
      errors.push(`- ${task.name}: ${result.error?.message ?? result.state}`)
      continue
    }
    const { mean, p50, p99, samplesCount } = result.latency
    lines.push(
      `| ${task.name} | ${(1000 / mean).toFixed(0)} | ${(mean * 1000).toFixed(1)} | ${(p50 * 1000).toFixed(1)} | ${(p99 * 1000).toFixed(1)} | ${samplesCount} |`,
    )
  }
  for (const reason of skipped) errors.push(`- skipped ${reason}`)
  if (errors.length) lines.push('', 'Not measured:', '', ...errors)
  if (notes.size) lines.push('', 'Notes:', '', ...[...notes].map((note) => `- ${note}`))
  return `${lines.join('\n')}\n`
}
