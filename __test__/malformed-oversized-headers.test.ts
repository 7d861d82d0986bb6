import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

function responseWithHeaderBytes(size: number): string {
  return `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(size)}\r\nContent-Length: 2\r\n\r\nok`
}

async function headersTooLarge(client: Client, url: string) {
  const error = await rejectionOf(client.get(url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_HEADERS_TOO_LARGE')
}

it('headers over maxHeaderSize: ProtocolError ERR_HEADERS_TOO_LARGE', async () => {
  const server = await startScriptedServer(responseWithHeaderBytes(16 * 1024))
  await using client = new Client({ maxHeaderSize: 8 * 1024, timeout: { read: 10_000 } })
  await headersTooLarge(client, server.url)
})

it('headers under maxHeaderSize pass', async () => {
  const server = await startScriptedServer(responseWithHeaderBytes(4 * 1024))
  await using client = new Client({ maxHeaderSize: 8 * 1024, timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  expect(res.headers.get('x-big')).toHaveLength(4 * 1024)
})

it('the default limit (64 KiB) refuses 100 KiB of headers', async () => {
  const server = await startScriptedServer(responseWithHeaderBytes(100 * 1024))
  await using client = new Client({ timeout: { read: 10_000 } })
  await headersTooLarge(client, server.url)
})

it('many small headers adding up over the limit are refused too', async () => {
  const many = Array.from({ length: 2_000 }, (_, i) => `X-H${i}: value-${i}\r\n`).join('')
  const server = await startScriptedServer(`HTTP/1.1 200 OK\r\n${many}Content-Length: 0\r\n\r\n`)
  await using client = new Client({ maxHeaderSize: 8 * 1024, timeout: { read: 10_000 } })
  await headersTooLarge(client, server.url)
})

it('a header value of 100,000 spaces under the limit is handled', async () => {
  const server = await startScriptedServer(
    `HTTP/1.1 200 OK\r\nX-Spaces: a${' '.repeat(100_000)}b\r\nContent-Length: 2\r\n\r\nok`,
  )
  await using client = new Client({ maxHeaderSize: 256 * 1024, timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  expect(await res.text()).toBe('ok')
})
