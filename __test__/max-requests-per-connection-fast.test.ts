import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startKeepAliveRawServer } from './helpers/servers.js'

afterEach(closeAll)

/**
 * Answers each request the moment its head is read, on a kept-alive connection, so the response
 * can reach the client in the same poll that hands the connection over. Counts the requests
 * each accepted connection carried.
 */
async function startImmediateServer() {
  const perConnection: number[] = []
  const server = await startKeepAliveRawServer((socket, connection, request) => {
    perConnection[connection] = request
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
  })
  return { url: `${server.url}/`, perConnection }
}

it('maxRequestsPerConnection holds against a server that answers at once', async () => {
  const server = await startImmediateServer()
  await using client = new Client({ limits: { maxRequestsPerConnection: 3 }, retry: false })

  for (let i = 0; i < 12; i++) {
    expect(await (await client.get(server.url)).text()).toBe('ok')
  }

  expect(server.perConnection).toEqual([3, 3, 3, 3])
})
