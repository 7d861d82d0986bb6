import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError, HyperHttpError, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { failureOf } from './helpers/errors.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

function expectConnectionClosedOrProtocol(error: unknown) {
  expect(error).toBeInstanceOf(HyperHttpError)
  const { code } = error as HyperHttpError
  if (code === 'ERR_CONNECTION_CLOSED') expect(error).toBeInstanceOf(ConnectError)
  else expect(error).toBeInstanceOf(ProtocolError)
}

it('EOF before any response byte is ConnectError ERR_CONNECTION_CLOSED', async () => {
  const server = await startScriptedServer('')
  await using client = new Client({ timeout: { read: 10_000 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).code).toBe('ERR_CONNECTION_CLOSED')
})

it('EOF in the middle of the headers is a typed error, not a hang', async () => {
  const server = await startScriptedServer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Partial: ')
  await using client = new Client({ timeout: { read: 10_000 } })
  expectConnectionClosedOrProtocol(await rejectionOf(client.get(server.url)))
})

it('Content-Length 10 with 3 bytes then close fails the body read', async () => {
  const server = await startScriptedServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
  await using client = new Client({ timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  const error = await rejectionOf(res.text())
  expectConnectionClosedOrProtocol(error)
})

it('the partial bytes are delivered before the stream errors', async () => {
  const server = await startScriptedServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
  await using client = new Client({ timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  const received: number[] = []
  const read = async () => {
    for await (const chunk of res.body as ReadableStream<Uint8Array>) received.push(...chunk)
  }
  expectConnectionClosedOrProtocol(await rejectionOf(read()))
  expect(received.length).toBeLessThanOrEqual(3)
})

it('a truncated chunked body fails the body read', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expectConnectionClosedOrProtocol(await failureOf(client.get(server.url)))
})
