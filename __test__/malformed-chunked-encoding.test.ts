import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { failureOf } from './helpers/errors.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'

it.each([
  ['a non-hex size', 'zz\r\nhello\r\n0\r\n\r\n'],
  ['a 20-hex-digit size (overflow)', 'fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n'],
  ['a negative size', '-5\r\nhello\r\n0\r\n\r\n'],
  ['a chunk longer than its size', '2\r\nhello\r\n0\r\n\r\n'],
])('%s is a ProtocolError', async (_name, body) => {
  const server = await startScriptedServer(head + body)
  await using client = new Client({ timeout: { read: 10_000 } })
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_PROTOCOL')
})

it('a well-formed chunked body with extensions and trailers decodes', async () => {
  const server = await startScriptedServer(
    `${head}5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n`,
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expect(await (await client.get(server.url)).text()).toBe('hello world')
})
