import { randomBytes } from 'node:crypto'
import type http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const MIB = 1024 * 1024
/** Random, so a piece out of order or twice cannot compare equal. */
const BODY = randomBytes(3 * MIB + 123)
/** Sent right after the head, so it travels with it; the rest follows once the head is read. */
const FIRST = 20 * 1024

/** Sends the head and FIRST bytes, then the rest in 100 KiB writes after `pause` ms. */
function send(res: http.ServerResponse, declared: boolean, pause: number): void {
  res.writeHead(200, declared ? { 'content-length': BODY.length } : {})
  res.write(BODY.subarray(0, FIRST))
  setTimeout(() => {
    for (let at = FIRST; at < BODY.length; at += 100 * 1024) {
      res.write(BODY.subarray(at, Math.min(at + 100 * 1024, BODY.length)))
    }
    res.end()
  }, pause)
}

for (const declared of [true, false]) {
  const framing = declared ? 'Content-Length' : 'chunked'
  it(`a ${framing} body read whole arrives intact, the bytes that came with the head first`, async () => {
    const server = await startHttpServer((_req, res) => send(res, declared, 50))
    const client = new Client({ decompress: false })
    try {
      const res = await client.get(server.url)
      const bytes = await res.bytes()
      expect(bytes.byteLength).toBe(BODY.length)
      // The view covers its whole buffer: no slice of a larger one is handed out.
      expect(bytes.buffer.byteLength).toBe(BODY.length)
      expect(Buffer.from(bytes.buffer).equals(BODY)).toBe(true)
      const again = await client.get(server.url)
      expect(Buffer.from(await again.arrayBuffer()).equals(BODY)).toBe(true)
    } finally {
      await client.close()
    }
  })
}

it('a body that ends before its Content-Length fails the whole-body read with a typed error', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-length': BODY.length })
    res.write(BODY.subarray(0, FIRST))
    setTimeout(() => res.socket?.destroy(), 50)
  })
  const client = new Client({ decompress: false, retry: false })
  try {
    const res = await client.get(server.url)
    await expect(res.arrayBuffer()).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
  } finally {
    await client.close()
  }
})
