import { startRawServer, type TestServer } from './servers.js'

/** A raw server that answers every request with `bytes`, then closes the connection. */
export async function startScriptedServer(bytes: string | Buffer): Promise<TestServer> {
  return startRawServer((socket) => socket.end(bytes))
}

/** A raw server that answers with `bytes` and keeps the connection open, saying nothing more. */
export async function startStuckServer(bytes: string | Buffer): Promise<TestServer> {
  return startRawServer((socket) => socket.write(bytes))
}
