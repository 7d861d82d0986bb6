import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

async function startHeaderEcho() {
  return startHttpServer((req, res) => {
    res.end(JSON.stringify({ contentType: req.headers['content-type'] ?? null }))
  })
}

it('fetch sends a headers record value of undefined as the string "undefined", as Node does', async () => {
  const server = await startHeaderEcho()
  const init = { method: 'POST', body: 'x', headers: { 'content-type': undefined } }
  const ours = await (await fetch(`${server.url}/`, init as unknown as RequestInit)).json()
  const node = await (await globalThis.fetch(`${server.url}/`, init as RequestInit)).json()
  expect(ours).toEqual({ contentType: 'undefined' })
  expect(ours).toEqual(node)
})

it('the Client skips a headers record value of undefined (optional headers written inline)', async () => {
  const server = await startHeaderEcho()
  await using client = new Client()
  const res = await client.post(`${server.url}/`, {
    body: 'x',
    headers: { 'content-type': undefined },
  })
  expect(await res.json()).toEqual({ contentType: 'text/plain;charset=UTF-8' })
})
