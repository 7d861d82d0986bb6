import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it.each([301, 302, 303])(
  'POST answered with %i is followed as GET without body or Content-* headers',
  async (status) => {
    const server = await startRedirectServer()
    await using client = new Client({ baseUrl: server.url })
    const res = await client.post(redirectPath(status, '/target'), {
      body: 'payload',
      headers: { 'content-type': 'text/plain', 'content-language': 'en', 'x-other': 'kept' },
    })
    expect(res.status).toBe(200)
    const target = server.requests[1]
    expect(target?.method).toBe('GET')
    expect(target?.url).toBe('/target')
    expect(target?.body.length).toBe(0)
    expect(target?.headers['content-type']).toBeUndefined()
    expect(target?.headers['content-length']).toBeUndefined()
    expect(target?.headers['content-language']).toBeUndefined()
    expect(target?.headers['transfer-encoding']).toBeUndefined()
    expect(target?.headers['x-other']).toBe('kept')
  },
)

it('303 turns PUT into GET as well', async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  await client.put(redirectPath(303, '/target'), { body: 'payload' })
  expect(server.requests[1]?.method).toBe('GET')
  expect(server.requests[1]?.body.length).toBe(0)
})

it('HEAD stays HEAD through a 303', async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  await client.head(redirectPath(303, '/target'))
  expect(server.requests[1]?.method).toBe('HEAD')
})
