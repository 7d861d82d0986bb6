import { afterEach, expect, it } from 'vitest'
import { Client, fetch, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer, startRawServer } from './helpers/servers.js'

afterEach(closeAll)

async function startSilentServer() {
  return startHttpServer(() => {})
}

it("a server that never answers hits the read timeout with phase 'headers'", async () => {
  const server = await startSilentServer()
  await using client = new Client({ timeout: { read: 500 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('headers')
  expect((error as TimeoutError).message).toContain('headers')
  expect(String((error as TimeoutError).url)).toBe(`${server.url}/`)
})

it('headers trickled a byte at a time still hit the headers timeout', async () => {
  const server = await startRawServer((socket) => {
    const head = Buffer.from(`HTTP/1.1 200 OK\r\nX-Slow: ${'a'.repeat(10_000)}\r\n\r\n`)
    let offset = 0
    const timer = setInterval(() => {
      if (offset < head.length) socket.write(head.subarray(offset, ++offset))
    }, 20)
    socket.once('close', () => clearInterval(timer))
  })
  await using client = new Client({ timeout: { read: 1_000 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('headers')
})

it('a per-request timeout overrides the client one', async () => {
  const server = await startSilentServer()
  await using client = new Client()
  const error = await rejectionOf(client.get(server.url, { timeout: { read: 300 } }))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('headers')
})

it('fetch surfaces it as the cause of a TypeError', async () => {
  const server = await startSilentServer()
  const error = await rejectionOf(fetch(server.url, { timeout: { read: 300 } }))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(TimeoutError)
  expect(((error as TypeError).cause as TimeoutError).phase).toBe('headers')
})

it('the client keeps working after a headers timeout', async () => {
  const server = await startHttpServer((req, res) => {
    if (req.url !== '/hang') res.end('fine')
  })
  await using client = new Client({ baseUrl: server.url, timeout: { read: 300 } })
  await rejectionOf(client.get('/hang'))
  expect(await (await client.get('/ok')).text()).toBe('fine')
})
