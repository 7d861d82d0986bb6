import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('fetch sends accept: */* when no accept header is set, as Node does', async () => {
  const server = await startHeadServer()
  await (await fetch(server.url)).text()
  await (await globalThis.fetch(server.url)).text()
  await (await fetch(server.url, { headers: { Accept: 'text/html' } })).text()
  expect(server.heads.map((head) => headerValues(head, 'accept'))).toEqual([
    ['*/*'],
    ['*/*'],
    ['text/html'],
  ])
})

it("a client's default accept header wins in client.fetch; its other methods add none", async () => {
  const server = await startHeadServer()
  await using client = new Client({ headers: { accept: 'application/json' } })
  await (await client.fetch(server.url)).text()
  await using bare = new Client()
  await (await bare.get(server.url)).text()
  expect(server.heads.map((head) => headerValues(head, 'accept'))).toEqual([
    ['application/json'],
    [],
  ])
})
