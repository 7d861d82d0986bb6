import { afterEach, expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** The raw bytes of header `x-name` in the first recorded head. */
function sentBytes(head: string | undefined): Buffer {
  return Buffer.from(headerValues(head ?? '', 'x-name')[0] ?? '', 'latin1')
}

it('a value in U+0080..U+00FF goes out as single Latin-1 bytes, as in Node', async () => {
  const server = await startHeadServer()
  await (await fetch(server.url, { headers: { 'x-name': 'café' } })).text()
  await (await globalThis.fetch(server.url, { headers: { 'x-name': 'café' } })).text()
  await using client = new Client()
  await (await client.get(server.url, { headers: { 'x-name': 'café' } })).text()
  const [ours, node, viaClient] = server.heads.map(sentBytes)
  expect(ours).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]))
  expect(node).toEqual(ours)
  expect(viaClient).toEqual(ours)
})

it('a character above U+00FF is a TypeError in fetch and an InvalidArgumentError in the Client', async () => {
  const server = await startHeadServer()
  const error = await fetch(server.url, { headers: { 'x-name': 'c€' } }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
  await using client = new Client()
  const refused = await client
    .get(server.url, { headers: { 'x-name': 'c€' } })
    .catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(InvalidArgumentError)
  expect((refused as InvalidArgumentError).message).toContain('index 1 (U+20AC) is above U+00FF')
  expect(server.connections.total).toBe(0)
})
