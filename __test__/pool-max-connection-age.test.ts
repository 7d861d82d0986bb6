import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { until } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('a connection past maxConnectionAge finishes its response, then closes and is not reused', async () => {
  const server = await startHttpServer((req, res) => {
    setTimeout(() => res.end('ok'), req.url === '/slow' ? 600 : 0)
  })
  await using client = new Client({
    limits: { maxConnectionAge: 300, keepAliveTimeout: 60_000 },
    retry: false,
  })

  expect(await (await client.get(`${server.url}/`)).text()).toBe('ok')
  // Taken young, answered past the age limit: it completes.
  expect(await (await client.get(`${server.url}/slow`)).text()).toBe('ok')
  const [first] = server.connections.sockets
  if (first === undefined) throw new Error('no connection')
  await server.connections.closed(first)
  expect(await (await client.get(`${server.url}/`)).text()).toBe('ok')

  expect(server.connections.total).toBe(2)
  await until(() => client.stats().total.open === 1)
})
