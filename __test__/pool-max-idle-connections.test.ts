import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { until } from './helpers/async.js'
import { closeAll, startHttpServer, type TestServer } from './helpers/servers.js'

afterEach(closeAll)

const openSockets = (servers: TestServer[]) =>
  servers.reduce((sum, s) => sum + s.connections.open, 0)

it('maxIdleConnections keeps the most recently used idle connections and closes the rest', async () => {
  const servers: TestServer[] = []
  for (let i = 0; i < 6; i++) servers.push(await startHttpServer((_req, res) => res.end('ok')))
  // Rounds, each with a client of its own: back-to-back requests end within one millisecond
  // once warm, where an order kept in milliseconds picked among the last ones at random.
  for (let round = 0; round < 10; round++) {
    await using client = new Client({
      limits: { maxIdleConnections: 2, keepAliveTimeout: 60_000 },
    })
    for (const server of servers) await (await client.get(server.url)).text()
    await until(() => openSockets(servers) === 2)

    expect(servers.map((s) => s.connections.open)).toEqual([0, 0, 0, 0, 1, 1])
    await (await client.get(servers[5]?.url ?? '')).text()
    expect(servers[5]?.connections.total).toBe(round + 1)
    await client.close()
    await until(() => openSockets(servers) === 0)
  }
})

it('maxIdleConnectionsPerHost closes the surplus of a burst as it finishes', async () => {
  const held: Array<() => void> = []
  const server = await startHttpServer((_req, res) => held.push(() => res.end('ok')))
  await using client = new Client({
    limits: { maxIdleConnectionsPerHost: 1, keepAliveTimeout: 60_000 },
  })

  const burst = Array.from({ length: 4 }, () => client.get(server.url).then((r) => r.text()))
  await until(() => held.length === 4)
  for (const release of held) release()
  expect(await Promise.all(burst)).toEqual(['ok', 'ok', 'ok', 'ok'])

  await until(() => server.connections.open === 1)
  expect(server.connections.total).toBe(4)
  expect(client.stats().total).toMatchObject({ open: 1, idle: 1 })
})
