import { afterEach, expect, it } from 'vitest'
import { Client, RedirectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it.each([307, 308])('%i replays the method, body and content-type', async (status) => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  const res = await client.post(redirectPath(status, '/target'), {
    body: 'payload to replay',
    headers: { 'content-type': 'text/x-replay' },
  })
  expect(await res.json()).toEqual({ method: 'POST', url: '/target', body: 'payload to replay' })
  const target = server.requests[1]
  expect(target?.headers['content-type']).toBe('text/x-replay')
  expect(target?.headers['content-length']).toBe(String('payload to replay'.length))
})

it('307 replays a binary body byte for byte', async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  const bytes = new Uint8Array(Array.from({ length: 256 }, (_, i) => i))
  await client.put(redirectPath(307, '/target'), { body: bytes })
  expect(server.requests[1]?.method).toBe('PUT')
  expect([...(server.requests[1]?.body ?? [])]).toEqual([...bytes])
})

it('307 with a stream body cannot replay it: RedirectError', async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('streamed once'))
      controller.close()
    },
  })
  const error = await rejectionOf(client.post(redirectPath(307, '/target'), { body }))
  expect(error).toBeInstanceOf(RedirectError)
  expect(server.requests.filter((r) => r.url === '/target')).toHaveLength(0)
})
