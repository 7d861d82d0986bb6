import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startRawServer } from './helpers/servers.js'

afterEach(closeAll)

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'

/** Resets the first `failures` connections as soon as a request head arrives, then answers. */
async function startResettingServer(failures: number) {
  const heads: string[] = []
  const server = await startRawServer((socket, head) => {
    heads.push(head)
    if (heads.length <= failures) socket.resetAndDestroy()
    else socket.end(OK)
  })
  return { ...server, heads }
}

it('a GET whose connection is reset before any response byte is retried', async () => {
  const server = await startResettingServer(2)
  await using client = new Client({ retry: { maxRetries: 2, backoff: { kind: 'none' } } })
  const res = await client.get(`${server.url}/data`)
  expect(await res.text()).toBe('ok')
  expect(res.attempts).toBe(3)
  expect(server.heads.filter((head) => head.startsWith('GET /data '))).toHaveLength(3)
})

it('when every attempt is reset the error reports all attempts', async () => {
  const server = await startResettingServer(10)
  await using client = new Client({ retry: { maxRetries: 2, backoff: { kind: 'none' } } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).attempts).toBe(3)
  expect(server.heads).toHaveLength(3)
})

it('a POST in the same situation arrives exactly once and fails', async () => {
  const server = await startResettingServer(10)
  await using client = new Client({ retry: { maxRetries: 2, backoff: { kind: 'none' } } })
  const error = await rejectionOf(client.post(server.url, { body: 'charge the card' }))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).attempts).toBe(1)
  expect(server.heads).toHaveLength(1)
})
