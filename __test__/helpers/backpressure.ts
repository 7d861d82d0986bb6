import http from 'node:http'
import http2 from 'node:http2'
import type net from 'node:net'

export const MB = 1_000_000

/** A multiple of 251, so that the byte at body offset `o` is `o % 251` across chunks. */
const CHUNK = Buffer.from(Array.from({ length: 251 * 261 }, (_, i) => i % 251))

/** How far a {@link startBackpressureServer} body got, and how often its writes blocked. */
export interface WriteStats {
  written: number
  blocked: number
}

/** What the HTTP/1.1 and HTTP/2 compatibility responses share that the writer uses. */
interface Writable {
  readonly destroyed: boolean
  writeHead(status: number, headers: Record<string, string>): unknown
  write(chunk: Buffer): boolean
  on(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
}

const closers = new Set<() => Promise<void>>()

/** Closes every server {@link startBackpressureServer} started; call it in `afterEach`. */
export async function closeBackpressureServers(): Promise<void> {
  const pending = [...closers]
  closers.clear()
  await Promise.all(pending.map((close) => close()))
}

async function writeBody(res: Writable, total: number, stats: WriteStats): Promise<void> {
  while (stats.written < total && !res.destroyed) {
    stats.written += CHUNK.length
    if (!res.write(CHUNK)) {
      stats.blocked += 1
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
  }
}

/**
 * A server on loopback (HTTP/1.1, or h2c with `http2`) whose every response is a body of
 * `total` bytes (endless when `Infinity`) where byte `o` is `o % 251`, written honouring
 * backpressure: `stats` shows how much the client let it write.
 */
export async function startBackpressureServer(
  total: number,
  options: { http2?: boolean } = {},
): Promise<{ url: string; stats: WriteStats }> {
  const stats: WriteStats = { written: 0, blocked: 0 }
  const respond = (res: Writable): void => {
    res.writeHead(200, Number.isFinite(total) ? { 'content-length': String(total) } : {})
    void writeBody(res, total, stats)
  }
  const server = options.http2
    ? http2.createServer((_req, res) => respond(res))
    : http.createServer((_req, res) => respond(res))
  const sockets = new Set<net.Socket>()
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.add(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const { port } = server.address() as net.AddressInfo
  return { url: `http://127.0.0.1:${port}/`, stats }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
