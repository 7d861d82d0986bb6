import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it.each([
  ['a misspelt protocol', 'HTT/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['an unknown version', 'HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['a four-digit status', 'HTTP/1.1 1000 Big\r\nContent-Length: 0\r\n\r\n'],
  ['a two-digit status', 'HTTP/1.1 99 Small\r\nContent-Length: 0\r\n\r\n'],
  ['a non-numeric status', 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n'],
  ['no status line at all', 'this is not http\r\n\r\n'],
])('%s is a ProtocolError ERR_PROTOCOL', async (_name, response) => {
  const server = await startScriptedServer(response)
  await using client = new Client({ timeout: { read: 10_000 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_PROTOCOL')
})

it('a bare CR inside a response header is a ProtocolError', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\nContent-Length: 0\r\n\r\n',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(ProtocolError)
})

it('an obs-folded response header is a ProtocolError', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(ProtocolError)
})

it('the client still works after a malformed response', async () => {
  const bad = await startScriptedServer('HTT/1.1 200 OK\r\n\r\n')
  const good = await startScriptedServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  await using client = new Client({ timeout: { read: 10_000 } })
  await rejectionOf(client.get(bad.url))
  expect(await (await client.get(good.url)).text()).toBe('ok')
})
