import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

// keepAliveTimeout bounds how long an *idle* connection is kept. A connection waiting for a
// response, or between two body chunks, is busy and must not be closed by idle expiry.

it('a response slower than keepAliveTimeout is not cut off while waiting for headers', async () => {
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('late but fine'), 1_200)
  })
  await using client = new Client({ limits: { keepAliveTimeout: 300 } })
  expect(await (await client.get(server.url)).text()).toBe('late but fine')
})

it('a body gap longer than keepAliveTimeout is not cut off', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200)
    res.write('first;')
    setTimeout(() => res.end('second'), 1_200)
  })
  await using client = new Client({ limits: { keepAliveTimeout: 300 } })
  expect(await (await client.get(server.url)).text()).toBe('first;second')
})

it('the default keepAliveTimeout (4 s) does not cut off a 5 s response', async () => {
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('five seconds later'), 5_000)
  })
  await using client = new Client()
  expect(await (await client.get(server.url)).text()).toBe('five seconds later')
})
