import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { closeAll, startKeepAliveRawServer } from './helpers/servers.js'

afterEach(closeAll)

/**
 * Answers the first request of each connection (after 100 ms, so concurrent requests open
 * connections of their own) and closes a connection that is asked a second time without
 * answering: every pooled connection is dead, as after a server closed its idle ones at once.
 */
async function startOneShotServer() {
  const server = await startKeepAliveRawServer((socket, _connection, request) => {
    if (request === 1) {
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'), 100)
    } else {
      socket.destroy()
    }
  })
  return { url: `${server.url}/`, accepted: server.accepted }
}

async function poolThree(send: (url: string) => Promise<Response>, url: string) {
  const first = await Promise.all([send(url), send(url), send(url)])
  await Promise.all(first.map((res) => res.text()))
}

it('fetch: a GET skips every dead pooled connection and succeeds on a fresh one', async () => {
  const server = await startOneShotServer()
  await poolThree((url) => fetch(url), server.url)
  expect(server.accepted()).toBe(3)
  const res = await fetch(server.url)
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('ok')
  expect(server.accepted()).toBe(4)
})

it('a Client without retries: the same, the resend of a stale connection is not a retry', async () => {
  const server = await startOneShotServer()
  await using client = new Client({ retry: false })
  await poolThree((url) => client.get(url), server.url)
  const res = await client.get(server.url)
  expect(await res.text()).toBe('ok')
  expect(res.attempts).toBe(1)
  expect(server.accepted()).toBe(4)
})

it('a POST on a dead pooled connection is not resent, with an error that says why', async () => {
  const server = await startOneShotServer()
  await using client = new Client({ retry: false })
  await poolThree((url) => client.get(url), server.url)
  const error = await client.post(server.url, { body: 'x' }).then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  )
  expect(error?.code).toBe('ERR_CONNECTION_CLOSED')
  expect(error?.message).toMatch(/may have processed the request/)
})
