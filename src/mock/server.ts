import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Scheme of the origins a listening socket serves. */
export type MockScheme = 'http' | 'https'

/** Handles one request that reached the mock server for an origin of `scheme`. */
export type MockHandler = (scheme: MockScheme, req: IncomingMessage, res: ServerResponse) => void

/**
 * The in-process HTTP/1.1 server behind a mock agent: one `node:http` server per scheme, each
 * on a private Unix socket (a named pipe on Windows). The engine dials it instead of a mocked
 * origin's host, so which socket a request arrives on tells its scheme, and its Host header
 * its origin. Unref'd: it never keeps the process alive.
 */
export class MockServer {
  readonly httpSocket: string
  readonly httpsSocket: string
  readonly #servers: Server[] = []

  constructor(handle: MockHandler) {
    const name = `hyperhttp-mock-${process.pid}-${randomBytes(6).toString('hex')}`
    this.httpSocket = this.#listen(socketPath(`${name}-http`), 'http', handle)
    this.httpsSocket = this.#listen(socketPath(`${name}-https`), 'https', handle)
  }

  /** Stops listening, ends every open connection (stalled replies too), removes the sockets. */
  async close(): Promise<void> {
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      ),
    )
    if (process.platform !== 'win32') {
      for (const path of [this.httpSocket, this.httpsSocket]) rmSync(path, { force: true })
    }
  }

  #listen(path: string, scheme: MockScheme, handle: MockHandler): string {
    const server = createServer((req, res) => handle(scheme, req, res))
    // Binding a local socket happens within listen(), so the path is usable once this returns;
    // a failure (a path too long for the OS) surfaces as ERR_CONNECT naming the socket.
    server.on('error', () => {})
    server.listen(path)
    server.unref()
    this.#servers.push(server)
    return path
  }
}

function socketPath(name: string): string {
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`)
}
