import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer, type TestServer } from './helpers/servers.js'

afterEach(closeAll)

// With maxConnections reached by idle connections to other origins, a request to a new origin
// closes the least recently used idle connection instead of waiting (up to timeout.pool) for
// one to expire. keepAliveTimeout is a minute and timeout.pool 5 s: waiting would fail.

/** `n` servers on their own ports; `peak()` is the most sockets open at once across all. */
async function startOrigins(n: number): Promise<{ servers: TestServer[]; peak: () => number }> {
  const servers: TestServer[] = []
  let peak = 0
  const openNow = () => servers.reduce((sum, s) => sum + s.connections.open, 0)
  for (let i = 0; i < n; i++) {
    const server = await startHttpServer((_req, res) => res.end('ok'))
    server.connections.next().then(function watch() {
      // The client closes a socket before it opens the next; counting a little later lets
      // the earlier close be seen first, whatever order the events are delivered in.
      setTimeout(() => {
        peak = Math.max(peak, openNow())
      }, 20)
      server.connections.next().then(watch)
    })
    servers.push(server)
  }
  return { servers, peak: () => peak }
}

it('300 origins through maxConnections 8: no pool timeout, never more than 8 sockets open', async () => {
  const { servers, peak } = await startOrigins(300)
  await using client = new Client({
    limits: { maxConnections: 8, keepAliveTimeout: 60_000 },
    timeout: { pool: 5_000 },
    retry: false,
  })

  for (const server of servers) {
    expect(await (await client.get(server.url)).text()).toBe('ok')
  }
  await new Promise((resolve) => setTimeout(resolve, 50))

  expect(servers.reduce((sum, s) => sum + s.connections.total, 0)).toBe(300)
  expect(peak()).toBeLessThanOrEqual(8)
  expect(client.stats().total.open).toBe(8)
}, 60_000)
