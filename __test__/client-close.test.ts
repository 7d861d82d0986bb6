import { afterEach, expect, it } from 'vitest'
import { Client, ClientClosedError, HyperHttpError } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('rejects requests made after close() with ClientClosedError', async () => {
  const server = await startRecordingServer()
  const client = new Client({ baseUrl: server.url })
  expect((await client.get('/')).status).toBe(200)
  await client.close()
  const error = await rejectionOf(client.get('/'))
  expect(error).toBeInstanceOf(ClientClosedError)
  expect(error).toBeInstanceOf(HyperHttpError)
  expect((error as ClientClosedError).code).toBe('ERR_CLIENT_CLOSED')
  expect(server.requests).toHaveLength(1)
})

it('client.fetch after close() rejects with a TypeError caused by ClientClosedError', async () => {
  const server = await startRecordingServer()
  const client = new Client()
  await client.close()
  const error = await rejectionOf(client.fetch(server.url))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(ClientClosedError)
  expect(server.connections.total).toBe(0)
})

it('close() is idempotent', async () => {
  const client = new Client()
  await client.close()
  await expect(client.close()).resolves.toBeUndefined()
})

it('close() closes the pooled keep-alive connections', async () => {
  const server = await startRecordingServer()
  const client = new Client({ baseUrl: server.url })
  await (await client.get('/')).text()
  const [socket] = server.connections.sockets
  if (socket === undefined) throw new Error('no connection')
  await client.close()
  await server.connections.closed(socket)
  expect(server.connections.open).toBe(0)
})

it('close() settles an in-flight request with a typed error instead of leaving it hanging', async () => {
  const arrived = deferred()
  const server = await startHttpServer(() => arrived.resolve())
  const client = new Client({ baseUrl: server.url })
  const pending = client.get('/')
  await arrived.promise
  await client.close()
  expect(await rejectionOf(pending)).toBeInstanceOf(HyperHttpError)
})

it('await using closes the client at the end of the block', async () => {
  const server = await startRecordingServer()
  let escaped: Client | undefined
  {
    await using client = new Client({ baseUrl: server.url })
    escaped = client
    expect((await client.get('/')).status).toBe(200)
  }
  expect(await rejectionOf(escaped.get('/'))).toBeInstanceOf(ClientClosedError)
})

it('Symbol.asyncDispose is close()', async () => {
  const client = new Client()
  await client[Symbol.asyncDispose]()
  expect(await rejectionOf(client.get('http://127.0.0.1:9/'))).toBeInstanceOf(ClientClosedError)
})
