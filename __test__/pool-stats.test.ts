import { afterEach, expect, it } from 'vitest'
import { Client, fetch, fetchStats } from '../dist/esm/index.js'
import { until } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const none = { open: 0, idle: 0, busy: 0, inFlight: 0, queued: 0, http2Streams: 0 }

it('stats reflect a known load: busy, in flight and queued, then idle', async () => {
  const held: Array<() => void> = []
  const server = await startHttpServer((_req, res) => held.push(() => res.end('ok')))
  const client = new Client({ limits: { maxConnectionsPerHost: 3 }, retry: false })

  const requests = Array.from({ length: 5 }, () => client.get(server.url).then((r) => r.text()))
  await until(() => held.length === 3 && client.stats().total.queued === 2)
  const loaded = client.stats()
  for (const release of held.splice(0)) release()
  await until(() => held.length === 2)
  for (const release of held.splice(0)) release()
  await Promise.all(requests)
  const after = client.stats()
  await client.close()

  const busy = { open: 3, idle: 0, busy: 3, inFlight: 3, queued: 2, http2Streams: 0 }
  expect(loaded).toEqual({ total: busy, origins: { [server.url]: busy } })
  const idle = { ...none, open: 3, idle: 3 }
  expect(after).toEqual({ total: idle, origins: { [server.url]: idle } })
  expect(client.stats()).toEqual({ total: none, origins: {} })
})

it('fetchStats() reports the pool behind the drop-in fetch', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  const before = fetchStats().total.open

  await (await fetch(server.url)).text()

  expect(fetchStats().origins[server.url]).toEqual({ ...none, open: 1, idle: 1 })
  expect(fetchStats().total.open).toBe(before + 1)
})
