import type net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startRawServer } from './helpers/servers.js'

afterEach(closeAll)

const KEEP_ALIVE_OK = 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'

/**
 * The first connection answers one request, then dies without a byte of response when the
 * next request arrives (a keep-alive race lost to the server). Later connections answer
 * every request. `heads` records each request head received.
 */
async function startServerThatDropsReusedConnection() {
  const heads: string[] = []
  let connections = 0
  const server = await startRawServer((socket: net.Socket, head: string) => {
    connections += 1
    heads.push(head)
    socket.write(KEEP_ALIVE_OK)
    if (connections === 1) {
      socket.once('data', (next) => {
        heads.push(next.toString('latin1'))
        socket.destroy()
      })
    } else {
      socket.on('data', (next) => {
        heads.push(next.toString('latin1'))
        socket.write(KEEP_ALIVE_OK)
      })
    }
  })
  return { ...server, heads }
}

it('an idempotent request that dies before any response byte on a reused connection is retried once on a new one', async () => {
  const server = await startServerThatDropsReusedConnection()
  await using client = new Client({ baseUrl: server.url, timeout: { read: 10_000 } })
  expect(await (await client.get('/first')).text()).toBe('ok')
  expect(await (await client.get('/second')).text()).toBe('ok')
  expect(server.connections.total).toBe(2)
  expect(server.heads.filter((head) => head.startsWith('GET /second '))).toHaveLength(2)
})

it('a POST in the same situation is not resent silently: it fails with a typed error', async () => {
  const server = await startServerThatDropsReusedConnection()
  await using client = new Client({ baseUrl: server.url, timeout: { read: 10_000 } })
  expect(await (await client.get('/first')).text()).toBe('ok')
  const error = await rejectionOf(client.post('/submit', { body: 'once only' }))
  expect(error).toBeInstanceOf(HyperHttpError)
  expect(server.heads.filter((head) => head.startsWith('POST /submit '))).toHaveLength(1)
})
