import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { failureOf } from './helpers/errors.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it.each([
  ['two different values', 'Content-Length: 3\r\nContent-Length: 5\r\n'],
  ['two different values in one header', 'Content-Length: 3, 5\r\n'],
  ['a negative value', 'Content-Length: -1\r\n'],
  ['a hex value', 'Content-Length: 0x20\r\n'],
  ['a trailing comma', 'Content-Length: 30,\r\n'],
  ['a value with a sign', 'Content-Length: +3\r\n'],
])('%s is a ProtocolError ERR_PROTOCOL', async (_name, header) => {
  const server = await startScriptedServer(`HTTP/1.1 200 OK\r\n${header}\r\nabcde`)
  await using client = new Client({ timeout: { read: 10_000 } })
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_PROTOCOL')
})

it('a repeated identical Content-Length is accepted', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expect(await (await client.get(server.url)).text()).toBe('abc')
})
