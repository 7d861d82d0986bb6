import net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { failureOf } from './helpers/errors.js'

const SPLIT =
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled'
const FRESH = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh'

const closers: Array<() => Promise<void>> = []

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

/**
 * A keep-alive server on a raw socket: `/split` gets a body framed both by Content-Length and
 * by chunked encoding, with a second, smuggled response behind it on the same connection;
 * other paths get `fresh`. Counts the connections it accepts.
 */
async function startSplittingServer(): Promise<{ url: string; accepted: () => number }> {
  let accepted = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    accepted += 1
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    let received = ''
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      for (let end = received.indexOf('\r\n\r\n'); end !== -1; end = received.indexOf('\r\n\r\n')) {
        const head = received.slice(0, end)
        received = received.slice(end + 4)
        socket.write(head.startsWith('GET /split ') ? SPLIT : FRESH)
      }
    })
  })
  closers.push(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return { url: `http://127.0.0.1:${port}`, accepted: () => accepted }
}

it('Content-Length with Transfer-Encoding: chunked is a ProtocolError and the connection is never reused', async () => {
  const server = await startSplittingServer()
  await using client = new Client({ timeout: { read: 10_000 } })

  const error = await failureOf(client.get(`${server.url}/split`))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_PROTOCOL')

  const next = await client.get(`${server.url}/next`)
  expect(await next.text()).toBe('fresh')
  expect(server.accepted()).toBe(2)
})
