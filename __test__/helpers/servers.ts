import http from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { caPem, type ServerIdentity, serverIdentity } from './certificates.js'
import { ConnectionTracker } from './connections.js'

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void
export type CompatHandler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void

export interface TestServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string
  port: number
  connections: ConnectionTracker
}

export interface SecureTestServer extends TestServer {
  /** Number of HTTP/2 sessions the server accepted. */
  sessions: () => number
}

const closers = new Set<() => Promise<void>>()

/** Closes every server started by these helpers; call it in `afterEach`. */
export async function closeAll(): Promise<void> {
  const pending = [...closers]
  closers.clear()
  await Promise.all(pending.map((close) => close()))
}

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      server.off('error', reject)
      resolve((server.address() as net.AddressInfo).port)
    })
  })
}

function originOf(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
}

function register(
  server: net.Server,
  tracker: ConnectionTracker,
  beforeClose: () => void = () => {},
): void {
  closers.add(async () => {
    beforeClose()
    tracker.destroyAll()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
}

export interface HttpServerOptions {
  host?: string
  /** Server-side keep-alive; long by default so only the client decides when idle sockets go. */
  keepAliveTimeout?: number
}

/** A node:http server on loopback. */
export async function startHttpServer(
  handler: Handler,
  options: HttpServerOptions = {},
): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1'
  const server = http.createServer(handler)
  server.keepAliveTimeout = options.keepAliveTimeout ?? 60_000
  const connections = new ConnectionTracker()
  server.on('connection', (socket: net.Socket) => connections.add(socket))
  const port = await listen(server, host)
  register(server, connections, () => server.closeAllConnections())
  return { url: originOf('http', host, port), port, connections }
}

export interface HttpsServerOptions {
  identity?: ServerIdentity
  /** Further node:tls server options, e.g. `minVersion`, `maxVersion`. */
  tls?: https.ServerOptions
}

/** A node:https (HTTP/1.1 only) server on 127.0.0.1. */
export async function startHttpsServer(
  handler: Handler,
  options: HttpsServerOptions = {},
): Promise<TestServer> {
  const server = https.createServer(
    { ...serverIdentity(options.identity ?? 'localhost'), ...options.tls },
    handler,
  )
  const connections = new ConnectionTracker()
  server.on('connection', (socket: net.Socket) => connections.add(socket))
  const port = await listen(server, '127.0.0.1')
  register(server, connections, () => server.closeAllConnections())
  return { url: originOf('https', '127.0.0.1', port), port, connections }
}

export interface SecureServerOptions {
  identity?: ServerIdentity
  allowHTTP1?: boolean
  /** Demand a client certificate signed by the test CA. */
  requireClientCertificate?: boolean
  host?: string
  /** Node's per-session buffer cap in MB (default 10): over it, new streams get ENHANCE_YOUR_CALM. */
  maxSessionMemory?: number
}

/** A node:http2 secure server (TLS with ALPN h2, optionally http/1.1) using a test certificate. */
export async function startSecureServer(
  handler: CompatHandler,
  options: SecureServerOptions = {},
): Promise<SecureTestServer> {
  const host = options.host ?? '127.0.0.1'
  const mutual = options.requireClientCertificate === true
  const server = http2.createSecureServer(
    {
      ...serverIdentity(options.identity ?? 'localhost'),
      allowHTTP1: options.allowHTTP1 ?? true,
      ...(options.maxSessionMemory === undefined
        ? {}
        : { maxSessionMemory: options.maxSessionMemory }),
      ...(mutual ? { ca: caPem(), requestCert: true, rejectUnauthorized: true } : {}),
    },
    handler,
  )
  return trackHttp2(server, 'https', host)
}

/** A cleartext HTTP/2 (h2c) server, reachable only with prior knowledge. */
export async function startH2cServer(handler: CompatHandler): Promise<SecureTestServer> {
  return trackHttp2(http2.createServer(handler), 'http', '127.0.0.1')
}

async function trackHttp2(
  server: http2.Http2Server | http2.Http2SecureServer,
  scheme: 'http' | 'https',
  host: string,
): Promise<SecureTestServer> {
  const connections = new ConnectionTracker()
  const sessions = new Set<http2.ServerHttp2Session>()
  let sessionCount = 0
  server.on('connection', (socket: net.Socket) => connections.add(socket))
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessionCount += 1
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  const port = await listen(server, host)
  register(server, connections, () => {
    for (const session of sessions) session.destroy()
  })
  return { url: originOf(scheme, host, port), port, connections, sessions: () => sessionCount }
}

/**
 * A raw TCP server for malformed responses: `respond` runs once the request head has arrived
 * and writes whatever bytes the test scripts.
 */
export async function startRawServer(
  respond: (socket: net.Socket, requestHead: string) => void,
): Promise<TestServer> {
  const connections = new ConnectionTracker()
  const server = net.createServer((socket) => {
    socket.on('error', () => {})
    let received = ''
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end === -1) return
      socket.off('data', onData)
      respond(socket, received.slice(0, end))
    }
    socket.on('data', onData)
  })
  server.on('connection', (socket: net.Socket) => connections.add(socket))
  const port = await listen(server, '127.0.0.1')
  register(server, connections)
  return { url: originOf('http', '127.0.0.1', port), port, connections }
}

/**
 * A raw TCP server that keeps connections open: `onRequest` runs for every request head that
 * arrives (bodies are not expected), with the connection's number (from 0, in accept order)
 * and the request's number on that connection (from 1).
 */
export async function startKeepAliveRawServer(
  onRequest: (socket: net.Socket, connection: number, request: number) => void,
): Promise<TestServer & { accepted: () => number }> {
  const connections = new ConnectionTracker()
  let accepted = 0
  const server = net.createServer((socket) => {
    const connection = accepted++
    let requests = 0
    let received = ''
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      let end = received.indexOf('\r\n\r\n')
      while (end !== -1) {
        received = received.slice(end + 4)
        onRequest(socket, connection, ++requests)
        end = received.indexOf('\r\n\r\n')
      }
    })
  })
  server.on('connection', (socket: net.Socket) => connections.add(socket))
  const port = await listen(server, '127.0.0.1')
  register(server, connections)
  return {
    url: originOf('http', '127.0.0.1', port),
    port,
    connections,
    accepted: () => accepted,
  }
}

/** A port on loopback that nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  const port = await listen(server, '127.0.0.1')
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Reads a whole request body. */
export async function readBody(req: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Writes `total` bytes in `chunkSize` pieces, honouring backpressure; stops when the peer goes. */
export async function writeWithBackpressure(
  res: http.ServerResponse,
  total: number,
  chunkSize: number,
): Promise<number> {
  const chunk = Buffer.alloc(chunkSize, 0x61)
  let written = 0
  while (written < total) {
    if (res.destroyed || res.socket === null || res.socket.destroyed) break
    written += chunk.length
    if (!res.write(chunk)) {
      const socket: Duplex = res.socket
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done)
          socket.off('close', done)
          resolve()
        }
        res.once('drain', done)
        socket.once('close', done)
      })
    }
  }
  return written
}
