import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a Range request asks for accept-encoding: identity, as Node does', async () => {
  const server = await startHeadServer()
  await (await fetch(server.url, { headers: { range: 'bytes=0-1' } })).text()
  await (await globalThis.fetch(server.url, { headers: { range: 'bytes=0-1' } })).text()
  const [ours, node] = server.heads.map((head) => headerValues(head, 'accept-encoding'))
  expect(ours).toEqual(['identity'])
  expect(ours).toEqual(node)
})

it('the Client does the same, and an explicit accept-encoding is kept', async () => {
  const server = await startHeadServer()
  await using client = new Client()
  await (await client.get(server.url, { headers: { range: 'bytes=5-' } })).text()
  const chosen = { range: 'bytes=5-', 'accept-encoding': 'br' }
  await (await client.get(server.url, { headers: chosen })).text()
  expect(server.heads.map((head) => headerValues(head, 'accept-encoding'))).toEqual([
    ['identity'],
    ['br'],
  ])
})
