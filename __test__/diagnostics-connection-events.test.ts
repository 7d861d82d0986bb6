import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, expect, it } from 'vitest'
import {
  Client,
  ConnectError,
  type ConnectionErrorMessage,
  type ConnectionMessage,
} from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, closedPort, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

function record<T>(name: string): { messages: T[]; stop: () => void } {
  const messages: T[] = []
  const listener = (message: unknown) => messages.push(message as T)
  subscribe(name, listener)
  return { messages, stop: () => unsubscribe(name, listener) }
}

it('a subscriber sees each connection open and close with its origin, protocol and addresses', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  const opened = record<ConnectionMessage>('hyperhttp:connection:open')
  const closed = record<ConnectionMessage>('hyperhttp:connection:close')
  try {
    const client = new Client()
    const res = await client.get(server.url)
    await res.text()
    expect(opened.messages).toHaveLength(1)
    const { connection } = opened.messages[0]
    expect(connection.origin).toBe(`http://127.0.0.1:${server.port}`)
    expect(connection.protocol).toBe('h1')
    expect(connection.remoteAddress).toBe('127.0.0.1')
    expect(connection.remotePort).toBe(server.port)
    expect(connection.localAddress).toBe('127.0.0.1')
    expect(connection.localPort).toBeGreaterThan(0)
    expect(res.timings?.connection).toBe(connection.id)
    await client.close()
    expect(closed.messages).toHaveLength(1)
    expect(closed.messages[0].connection).toBe(connection)
  } finally {
    opened.stop()
    closed.stop()
  }
})

it('a connection the server closes is published as closed while the client lives', async () => {
  const server = await startHttpServer((_req, res) => {
    res.setHeader('connection', 'close')
    res.end('bye')
  })
  const opened = record<ConnectionMessage>('hyperhttp:connection:open')
  const closed = record<ConnectionMessage>('hyperhttp:connection:close')
  try {
    await using client = new Client()
    expect(await (await client.get(server.url)).text()).toBe('bye')
    await expect.poll(() => closed.messages.length).toBe(1)
    expect(closed.messages[0].connection).toBe(opened.messages[0].connection)
  } finally {
    opened.stop()
    closed.stop()
  }
})

it('a connection that fails to open is published with its origin and typed error', async () => {
  const port = await closedPort()
  const failed = record<ConnectionErrorMessage>('hyperhttp:connection:error')
  try {
    await using client = new Client()
    const error = await rejectionOf(client.get(`http://127.0.0.1:${port}/`))
    expect(error).toBeInstanceOf(ConnectError)
    // One failed connection per attempt (GET is retried).
    expect(failed.messages).toHaveLength((error as ConnectError).attempts)
    expect(failed.messages[0].origin).toBe(`http://127.0.0.1:${port}`)
    expect(failed.messages[0].error).toBeInstanceOf(ConnectError)
    expect(failed.messages[0].error.code).toBe('ERR_CONNECT')
  } finally {
    failed.stop()
  }
})

it('without a subscriber the engine does not report connections at all', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using client = new Client()
  const res = await client.get(server.url)
  await res.text()
  // The engine names the connection only when it reports connection events.
  expect(res.timings?.connection).toBeUndefined()
})
