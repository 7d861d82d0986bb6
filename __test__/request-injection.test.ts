import { afterEach, describe, expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startRawServer, type TestServer } from './helpers/servers.js'

afterEach(closeAll)

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'

/** A raw server that records every byte it receives, answering 200 to each request head. */
async function startSpyServer(): Promise<TestServer & { received: () => string }> {
  let received = ''
  const server = await startRawServer((socket, head) => {
    received += head
    socket.end(OK)
  })
  return { ...server, received: () => received }
}

/** Asserts nothing reached the server, after a clean request elsewhere has completed. */
async function expectNothingSent(server: TestServer, client: Client) {
  const witness = await startSpyServer()
  expect((await client.get(witness.url)).status).toBe(200)
  expect(server.connections.total).toBe(0)
}

describe('CR, LF or NUL in a header', () => {
  const badValues = ['a\r\nx-injected: 1', 'a\nx-injected: 1', 'a\rb', 'a\0b']

  it.each(badValues)(
    'value %j: Client rejects with InvalidArgumentError, nothing sent',
    async (value) => {
      const server = await startSpyServer()
      await using client = new Client()
      const error = await rejectionOf(client.get(server.url, { headers: { 'x-test': value } }))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      await expectNothingSent(server, client)
    },
  )

  it.each(['x-bad\r\nx-injected', 'x-bad\n', 'x\0bad', 'bad name', 'bad:name'])(
    'name %j: Client rejects with InvalidArgumentError, nothing sent',
    async (name) => {
      const server = await startSpyServer()
      await using client = new Client()
      const error = await rejectionOf(client.get(server.url, { headers: { [name]: 'v' } }))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      await expectNothingSent(server, client)
    },
  )

  it('in a client default header: construction or the request is refused, nothing sent', async () => {
    const server = await startSpyServer()
    let client: Client | undefined
    try {
      client = new Client({ headers: { 'x-default': 'a\r\nx-injected: 1' } })
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError)
      return
    }
    try {
      expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(InvalidArgumentError)
      expect(server.connections.total).toBe(0)
    } finally {
      await client.close()
    }
  })

  it.each(badValues)('value %j: fetch rejects with a TypeError, nothing sent', async (value) => {
    const server = await startSpyServer()
    const error = await rejectionOf(fetch(server.url, { headers: { 'x-test': value } }))
    expect(error).toBeInstanceOf(TypeError)
    expect(server.connections.total).toBe(0)
  })
})

describe('CR, LF, NUL or space in the method', () => {
  const badMethods = ['GET\r\nX-Injected: 1', 'GET\n', 'GE\0T', 'GET /other HTTP/1.1', 'G(T']

  it.each(badMethods)(
    '%j: Client rejects with InvalidArgumentError, nothing sent',
    async (method) => {
      const server = await startSpyServer()
      await using client = new Client()
      const error = await rejectionOf(client.request({ url: server.url, method }))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      await expectNothingSent(server, client)
    },
  )

  it.each(badMethods)('%j: fetch rejects with a TypeError, nothing sent', async (method) => {
    const server = await startSpyServer()
    const error = await rejectionOf(fetch(server.url, { method }))
    expect(error).toBeInstanceOf(TypeError)
    expect(server.connections.total).toBe(0)
  })
})

describe('CR, LF or NUL in the URL', () => {
  it('never reach the wire as raw bytes', async () => {
    const server = await startSpyServer()
    await using client = new Client()
    for (const path of [
      '/a\r\nX-Injected: 1',
      '/a%0d%0aX-Injected:%201',
      '/a\0b',
      '/?q=\r\nX-Injected: 1',
    ]) {
      const outcome = await client.get(`${server.url}${path}`).then(
        (res) => res.status,
        (error: unknown) => error,
      )
      if (outcome !== 200) expect(outcome).toBeInstanceOf(InvalidArgumentError)
    }
    expect(server.received()).not.toMatch(/\r\nX-Injected/i)
    expect(server.received()).not.toContain('\0')
  })

  it('a NUL or CR/LF in the host is refused before connecting', async () => {
    const server = await startSpyServer()
    await using client = new Client()
    for (const host of ['127.0.0.1\0.evil', '127.0.0.1\r\nX-Injected: 1']) {
      const error = await rejectionOf(client.get(`http://${host}:${server.port}/`))
      expect(error).toBeInstanceOf(InvalidArgumentError)
    }
    expect(server.connections.total).toBe(0)
  })
})
