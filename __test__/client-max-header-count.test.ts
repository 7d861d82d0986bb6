import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** A response whose head holds `count` small fields (Content-Length included). */
function responseWithFields(count: number): string {
  const fields = Array.from({ length: count - 1 }, (_, i) => `X-F${i}: ${i}\r\n`).join('')
  return `HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\n\r\nok`
}

it('a head with more fields than maxHeaderCount: ProtocolError ERR_HEADERS_TOO_LARGE', async () => {
  const server = await startScriptedServer(responseWithFields(20))
  await using client = new Client({ maxHeaderCount: 10 })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_HEADERS_TOO_LARGE')
  expect((error as ProtocolError).message).toMatch(/maxHeaderCount/)
})

it('a raised maxHeaderCount lets a head over the default (256 fields) through', async () => {
  const server = await startScriptedServer(responseWithFields(300))
  await using refusing = new Client()
  expect(await rejectionOf(refusing.get(server.url))).toBeInstanceOf(ProtocolError)
  await using raised = new Client({ maxHeaderCount: 400 })
  const res = await raised.get(server.url)
  expect(res.headers.get('x-f298')).toBe('298')
  expect(await res.text()).toBe('ok')
})

it.each([0, -1, 1.5, '10'])('refuses maxHeaderCount %j with InvalidArgumentError', (value) => {
  expect(() => new Client({ maxHeaderCount: value as number })).toThrow(InvalidArgumentError)
  expect(() => new Client({ maxHeaderCount: value as number })).toThrow(/^maxHeaderCount must be/)
})
