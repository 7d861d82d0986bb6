// Load server for the benchmarks, meant to run in its own process.
//
//   node bench/server.mjs [--port N] [--host 127.0.0.1] [--tls|--h2 --cert cert.pem --key key.pem]
//
// Routes: GET|HEAD /bytes/:n (n bytes of a fixed pattern), POST /echo (the body back; also
// PUT, PATCH and DELETE, so `compare.mjs --url …/echo --method M` can be tried on loopback).
// Prints `READY <port>` on stdout once listening. Exits on SIGTERM/SIGINT, and when its
// stdin is a pipe that closes (so it never outlives the benchmark that spawned it).
import { fstatSync, readFileSync } from 'node:fs'
import http from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import { parseFlags, refuse } from './flags.mjs'

const MAX_BYTES = 64 * 1024 * 1024
const KEEP_ALIVE_MS = 60_000
const ECHO_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

const TOOL = 'bench/server.mjs'
const args = parseFlags(TOOL, {
  port: { type: 'string', default: process.env.HYPERHTTP_BENCH_PORT ?? '0' },
  host: { type: 'string', default: '127.0.0.1' },
  tls: { type: 'boolean', default: false },
  h2: { type: 'boolean', default: false },
  cert: { type: 'string' },
  key: { type: 'string' },
})

let pattern = makePattern(1024 * 1024)

function makePattern(size) {
  const unit = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n')
  const buf = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += unit.length) unit.copy(buf, i)
  return buf
}

function patternBytes(n) {
  if (n > pattern.length) pattern = makePattern(Math.min(MAX_BYTES, 2 ** Math.ceil(Math.log2(n))))
  return pattern.subarray(0, n)
}

function handle(req, res) {
  const url = req.url ?? '/'
  if (url.startsWith('/bytes/')) return sendBytes(req, res, url.slice(7))
  if (url === '/echo' && ECHO_METHODS.has(req.method)) return echo(req, res)
  send(res, 404, 'not found\n')
}

function sendBytes(req, res, arg) {
  const n = Number(arg)
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_BYTES) {
    return send(res, 400, `bad size, want 0..${MAX_BYTES}\n`)
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': n,
  })
  res.end(req.method === 'HEAD' ? undefined : patternBytes(n))
}

function echo(req, res) {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    res.writeHead(200, {
      'content-type': req.headers['content-type'] ?? 'application/octet-stream',
      'content-length': body.length,
    })
    res.end(body)
  })
}

function send(res, status, text) {
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

function createServer() {
  if (!args.tls && !args.h2) {
    return http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true }, handle)
  }
  if (!args.cert || !args.key) refuse(TOOL, '--tls and --h2 need --cert and --key (PEM files)')
  const tls = { cert: readFileSync(args.cert), key: readFileSync(args.key) }
  if (args.h2) {
    // The default 10 MB session budget answers 64 streams of 1 MiB with ENHANCE_YOUR_CALM.
    const h2 = {
      allowHTTP1: true,
      maxSessionMemory: 1024,
      settings: { maxConcurrentStreams: 1000 },
    }
    return http2.createSecureServer({ ...tls, ...h2 }, handle)
  }
  return https.createServer({ ...tls, keepAliveTimeout: KEEP_ALIVE_MS, noDelay: true }, handle)
}

const server = createServer()
server.headersTimeout = KEEP_ALIVE_MS + 1000
server.listen(Number(args.port), args.host, () => {
  process.stdout.write(`READY ${server.address().port}\n`)
})

function stop() {
  server.close()
  server.closeAllConnections?.()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

const stdin = fstatSync(0)
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on('end', stop).on('error', stop).resume()
}
