import net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'

const servers: net.Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/**
 * Answers each request the moment its head is read, on a kept-alive connection, so the response
 * can reach the client in the same poll that hands the connection over. Counts the requests
 * each accepted connection carried.
 */
async function startImmediateServer() {
  const perConnection: number[] = []
  const server = net.createServer((socket) => {
    const index = perConnection.push(0) - 1
    let buffered = ''
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      buffered += chunk
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4)
        perConnection[index] = (perConnection[index] ?? 0) + 1
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      }
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return { url: `http://127.0.0.1:${port}/`, perConnection }
}

it('maxRequestsPerConnection holds against a server that answers at once', async () => {
  const server = await startImmediateServer()
  await using client = new Client({ limits: { maxRequestsPerConnection: 3 }, retry: false })

  for (let i = 0; i < 12; i++) {
    expect(await (await client.get(server.url)).text()).toBe('ok')
  }

  expect(server.perConnection).toEqual([3, 3, 3, 3])
})
