import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('fetch ignores a Host header, as Node does', async () => {
  const server = await startHeadServer()
  const headers = { host: 'virtual.example' }
  await (await fetch(server.url, { headers })).text()
  await (await globalThis.fetch(server.url, { headers })).text()
  const authority = server.url.replace('http://', '')
  expect(server.heads.map((head) => headerValues(head, 'host'))).toEqual([[authority], [authority]])
})

it('the Client sends a Host header it is given (virtual hosting)', async () => {
  const server = await startHeadServer()
  await using client = new Client()
  await (await client.get(server.url, { headers: { host: 'virtual.example' } })).text()
  expect(headerValues(server.heads[0] as string, 'host')).toEqual(['virtual.example'])
})
