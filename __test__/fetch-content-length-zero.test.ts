import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET']

async function declaredLengths(send: (url: string, method: string) => Promise<unknown>) {
  const server = await startHeadServer()
  for (const method of METHODS) await send(server.url, method)
  return server.heads.map((head) => headerValues(head, 'content-length'))
}

it('a body-less POST, PUT or PATCH sends content-length: 0, as Node does', async () => {
  const ours = await declaredLengths(async (url, method) => (await fetch(url, { method })).text())
  const node = await declaredLengths(async (url, method) =>
    (await globalThis.fetch(url, { method })).text(),
  )
  expect(ours).toEqual([['0'], ['0'], ['0'], [], []])
  expect(ours).toEqual(node)
})

it('the Client declares content-length: 0 the same way (proxies answer 411 without it)', async () => {
  await using client = new Client({ retry: false })
  const sent = await declaredLengths(async (url, method) =>
    (await client.request({ method, url })).text(),
  )
  expect(sent).toEqual([['0'], ['0'], ['0'], [], []])
})
