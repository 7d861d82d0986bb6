// The soak's client process, started by soak/index.mjs with --expose-gc: one hyperhttp
// `Client` and the drop-in `fetch` drive a mixed workload against nginx until the deadline,
// then close, wait for file descriptors to return to baseline and exit by themselves. Every
// finished request, memory sample and final measurement goes to the harness over IPC; this
// process keeps no per-request history, so its own memory says something about hyperhttp.
import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client, fetch, HyperHttpError } from '../dist/esm/index.js'
import { RACE_KEEPALIVE_S, SIZES, sha256 } from './site.mjs'

const config = JSON.parse(process.argv[2])
const { origins, filesDir, concurrency, durationMs, warmupMs, sampleMs } = config
const blobs = new Map(SIZES.map((size) => [size, readFileSync(path.join(filesDir, String(size)))]))
const blobSha = new Map([...blobs].map(([size, blob]) => [size, sha256(blob)]))
const ca = readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8')

// Retries are on by default for idempotent requests and Idempotency-Key POSTs; the breaker's
// recovery is shortened from 30 s so that the origins come back within seconds of a restart.
const clientOptions = { tls: { ca }, circuitBreaker: { recoveryTimeout: 2_000 } }

const outbox = []
const send = (message) => outbox.push(message)
const flushTimer = setInterval(flush, 250)
function flush() {
  if (outbox.length > 0) process.send({ batch: outbox.splice(0) })
}
process.on('unhandledRejection', (reason) => send({ type: 'unhandled', detail: describe(reason) }))

async function worker() {
  while (Date.now() < deadline) await record(pick(WORKLOAD)(pick(['h1', 'tls', 'h2'])))
}

// Keeps one request at a time on a server whose idle timeout is RACE_KEEPALIVE_S, arriving
// just before, at or just after it closes the idle connection.
async function racer(lane) {
  const kinds = [getFile, putObject, postWithKey, postPlain]
  for (let i = 0; Date.now() < deadline; i++) {
    await sleep(RACE_KEEPALIVE_S * 1_000 + (Math.random() - 0.5) * 200)
    const through = Math.floor(i / kinds.length) % 2 === 0 ? 'client' : 'fetch'
    const op = kinds[i % kinds.length](lane, through, 200)
    await record({ ...op, race: true })
  }
}

const WORKLOAD = [
  [30, (lane) => getFile(lane, via(), size())],
  [12, (lane) => getBlob(lane, via(), size())],
  [14, (lane) => putObject(lane, via(), size())],
  [14, (lane) => postWithKey(lane, via(), size())],
  [6, (lane) => postPlain(lane, via(), size())],
  [8, (lane) => abort(lane, via())],
  [2, (lane) => timeout(lane, via())],
]
const via = () => (Math.random() < 0.6 ? 'client' : 'fetch')
const size = () =>
  pick([
    [35, 200],
    [25, 10_240],
    [15, 65_537],
    [15, 1_048_576],
    [10, 4_194_304],
  ])
// 8% of the Client's requests to the upstream are answered 503 once or twice first; the
// Client's retries must turn them into a 200. With the timeouts' retries that stays far below
// the default retry budget (retries up to 20% of requests), which would otherwise end them.
const failFirst = (through) =>
  through === 'client' && Math.random() < 0.08 ? 1 + (Math.random() < 0.5) : 0

function getFile(lane, through, bytes) {
  return {
    kind: 'get-file',
    lane,
    via: through,
    method: 'GET',
    size: bytes,
    send: () => request(through, `${origins[lane]}/files/${bytes}`, {}),
    check: (res) => checkBody(res, blobSha.get(bytes)),
  }
}

function getBlob(lane, through, bytes) {
  const id = `g-${randomUUID()}`
  const fail = failFirst(through)
  return {
    kind: 'get-blob',
    lane,
    via: through,
    method: 'GET',
    size: bytes,
    id,
    failFirst: fail,
    send: () =>
      request(through, `${origins[lane]}/u/blob/${bytes}`, {
        headers: { 'x-soak-id': id, 'x-soak-fail-first': String(fail) },
      }),
    check: (res) => checkBody(res, blobSha.get(bytes)),
  }
}

function putObject(lane, through, bytes) {
  const id = `o-${randomUUID()}`
  return upload(
    { kind: 'put', method: 'PUT', route: `/u/objects/${id}`, id, idHeader: 'x-soak-id' },
    lane,
    through,
    bytes,
  )
}

function postWithKey(lane, through, bytes) {
  const id = `k-${randomUUID()}`
  return upload(
    { kind: 'post-key', method: 'POST', route: '/u/orders', id, idHeader: 'idempotency-key' },
    lane,
    through,
    bytes,
  )
}

// Never answered 503: a POST without Idempotency-Key is not retried.
function postPlain(lane, through, bytes) {
  const id = `p-${randomUUID()}`
  return upload(
    {
      kind: 'post-plain',
      method: 'POST',
      route: '/u/orders',
      id,
      idHeader: 'x-soak-id',
      inject: false,
    },
    lane,
    through,
    bytes,
  )
}

// A unique body sent to the upstream, which answers with the checksum of what it received.
function upload({ kind, method, route, id, idHeader, inject = true }, lane, through, bytes) {
  const fail = inject ? failFirst(through) : 0
  const body = uniqueBody(bytes, id)
  return {
    kind,
    lane,
    via: through,
    method,
    size: bytes,
    id,
    failFirst: fail,
    send: () =>
      request(through, `${origins[lane]}${route}`, {
        method,
        body,
        headers: { [idHeader]: id, 'x-soak-fail-first': String(fail) },
      }),
    check: (res) => checkReceipt(res, body),
  }
}

// Aborts a large download before it starts, at a random moment, or after its first chunk.
function abort(lane, through) {
  const bytes = pick([
    [1, 1_048_576],
    [1, 4_194_304],
  ])
  const when = pick([
    [1, 'before'],
    [2, 'timer'],
    [2, 'mid-body'],
  ])
  const controller = new AbortController()
  if (when === 'before') controller.abort()
  if (when === 'timer') setTimeout(() => controller.abort(), Math.random() * 30)
  return {
    kind: `abort-${when}`,
    lane,
    via: through,
    method: 'GET',
    size: bytes,
    expected: 'abort',
    send: () => request(through, `${origins[lane]}/files/${bytes}`, { signal: controller.signal }),
    async check(res) {
      if (when !== 'mid-body') return checkBody(res, blobSha.get(bytes))
      const reader = res.body.getReader()
      await reader.read()
      controller.abort()
      for (;;) if ((await reader.read()).done) return { outcome: 'not-aborted' }
    },
  }
}

// The upstream answers after 3 s; the request's own timeout must fire first.
function timeout(lane, through) {
  const url = `${origins[lane]}/u/slow/3000`
  const how =
    through === 'client'
      ? 'option'
      : pick([
          [1, 'option'],
          [1, 'signal'],
        ])
  const init =
    how === 'signal'
      ? { signal: AbortSignal.timeout(500) }
      : { timeout: { read: 400, total: 1_000 } }
  return {
    kind: `timeout-${how}`,
    lane,
    via: through,
    method: 'GET',
    size: 0,
    expected: 'timeout',
    send: () => request(through, url, init),
    async check(res) {
      await res.bytes()
      return { outcome: 'not-timed-out', status: res.status }
    },
  }
}

function request(through, url, init) {
  return through === 'client' ? client.request({ url, method: 'GET', ...init }) : fetch(url, init)
}

async function checkBody(res, expected) {
  if (res.status !== 200) return unexpectedStatus(res)
  let actual
  if (Math.random() < 0.5) {
    actual = sha256(await res.bytes())
  } else {
    const hash = createHash('sha256')
    for await (const chunk of res.body) hash.update(chunk)
    actual = hash.digest('hex')
  }
  return { outcome: actual === expected ? 'ok' : 'corrupt', status: 200, attempts: res.attempts }
}

async function checkReceipt(res, body) {
  if (res.status !== 200) return unexpectedStatus(res)
  const receipt = await res.json()
  const intact = receipt.sha256 === sha256(body) && receipt.length === body.length
  return {
    outcome: intact ? 'ok' : 'corrupt',
    status: 200,
    attempts: res.attempts,
    replay: receipt.replay,
    serverSha: receipt.sha256,
  }
}

async function unexpectedStatus(res) {
  await res.bytes()
  return { outcome: 'status', status: res.status, attempts: res.attempts }
}

// A body of `bytes` random bytes that begins with the request's id, so that no two requests
// send the same bytes and a body delivered to the wrong request cannot pass the checksum.
function uniqueBody(bytes, id) {
  const body = Buffer.from(blobs.get(bytes))
  body.write(id.slice(0, Math.min(id.length, bytes)))
  return body
}

async function record(op) {
  const { send: go, check, ...fields } = op
  const at = Date.now()
  const start = performance.now()
  let result
  try {
    result = await check(await go())
  } catch (error) {
    result = { outcome: 'error', ...describe(error) }
  }
  send({
    type: 'request',
    ...fields,
    ...result,
    at,
    end: Date.now(),
    ms: performance.now() - start,
  })
}

// The typed error behind a rejection: hyperhttp's own, the TypeError('fetch failed') that
// wraps one, or the signal's reason for fetch aborts and AbortSignal.timeout.
function describe(error) {
  const typed =
    error instanceof TypeError && error.cause instanceof HyperHttpError ? error.cause : error
  if (typed instanceof HyperHttpError) {
    return {
      code: typed.code,
      phase: typed.phase,
      attempts: typed.attempts,
      message: typed.message,
    }
  }
  if (typed instanceof DOMException) return { code: typed.name, message: typed.message }
  return { code: 'UNTYPED', message: String(error?.stack ?? error) }
}

function pick(weighted) {
  if (typeof weighted[0] === 'string') return weighted[Math.floor(Math.random() * weighted.length)]
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0)
  let roll = Math.random() * total
  for (const [weight, value] of weighted) {
    roll -= weight
    if (roll < 0) return value
  }
  return weighted.at(-1)[1]
}

function memory() {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, external, arrayBuffers }
}

function openFds() {
  const dir = '/proc/self/fd'
  return readdirSync(dir).map((fd) => {
    try {
      return { fd, target: readlinkSync(path.join(dir, fd)) }
    } catch {
      return { fd, target: 'closed while listed' }
    }
  })
}

// Warm-up: the engine's runtimes and their descriptors exist from here on, sockets do not.
// The HTTP/2 request starts the engine's HTTP/2 lanes, which live as long as the process, as
// the shared runtime does (README, How it works).
const warm = new Client(clientOptions)
await (await warm.get(`${origins.h1}/files/200`)).bytes()
await (await warm.get(`${origins.h2}/files/200`)).bytes()
await warm.close()
const fdBaseline = openFds()

const client = new Client(clientOptions)
const started = Date.now()
const deadline = started + durationMs
send({ type: 'started', at: started, fds: fdBaseline.length, memory: memory() })

const sampler = setInterval(
  () => send({ type: 'sample', at: Date.now(), memory: memory() }),
  sampleMs,
)
const baseline = setTimeout(() => {
  globalThis.gc()
  send({ type: 'baseline', at: Date.now(), memory: memory() })
}, warmupMs)

await Promise.all([
  ...Array.from({ length: concurrency }, worker),
  racer('race-h1'),
  racer('race-h2'),
])
clearInterval(sampler)
clearTimeout(baseline)
const drained = Date.now()
await client.close()

// The shared fetch client cannot be closed: its idle connections expire after its 4 s
// keep-alive, so the descriptors get that long plus a margin to come back.
let fds = openFds()
for (let waited = 0; fds.length > fdBaseline.length && waited < 15_000; waited += 250) {
  await sleep(250)
  fds = openFds()
}
globalThis.gc()
globalThis.gc()
send({
  type: 'final',
  at: Date.now(),
  drained,
  memory: memory(),
  fds: fds.length,
  fdsBaseline: fdBaseline.length,
  extraFds: fds.filter((fd) => !fdBaseline.some((b) => b.fd === fd.fd && b.target === fd.target)),
})
clearInterval(flushTimer)
// Nothing is left to keep the process alive once the channel is closed: it exits by itself.
process.send({ batch: outbox.splice(0) }, () => process.disconnect())
