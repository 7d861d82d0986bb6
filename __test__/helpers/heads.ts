import { startRawServer, type TestServer } from './servers.js'

export interface HeadServer extends TestServer {
  /** Each request head exactly as received, bytes kept as Latin-1 characters. */
  heads: string[]
}

/** A raw server that records every request head and answers 200 "ok", closing the connection. */
export async function startHeadServer(): Promise<HeadServer> {
  const heads: string[] = []
  const server = await startRawServer((socket, head) => {
    heads.push(head)
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok')
  })
  return { ...server, heads }
}

/** The values of header `name` (lower-case) in a raw request head, in order. */
export function headerValues(head: string, name: string): string[] {
  const values: string[] = []
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (line.slice(0, colon).toLowerCase() === name) values.push(line.slice(colon + 1).trim())
  }
  return values
}
