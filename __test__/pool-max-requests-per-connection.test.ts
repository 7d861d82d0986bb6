import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { until } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('a connection carries maxRequestsPerConnection requests, then closes', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using client = new Client({ limits: { maxRequestsPerConnection: 3 } })

  for (let i = 0; i < 9; i++) {
    expect(await (await client.get(server.url)).text()).toBe('ok')
    // Lets the finished connection reach the idle pool, so reuse is certain.
    await new Promise((resolve) => setTimeout(resolve, 30))
  }

  expect(server.connections.total).toBe(3)
  await until(() => server.connections.open === 0)
})

it('retiring connections under concurrent load fails no request', async () => {
  const server = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 10))
  await using client = new Client({
    limits: { maxRequestsPerConnection: 3, maxConnectionsPerHost: 4 },
    retry: false,
  })

  const all = Array.from({ length: 120 }, () => client.get(server.url).then((r) => r.text()))

  expect(new Set(await Promise.all(all))).toEqual(new Set(['ok']))
  expect(server.connections.total).toBeGreaterThanOrEqual(40)
})
