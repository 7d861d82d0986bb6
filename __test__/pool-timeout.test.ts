import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** `/slow` holds its connection until `releaseFirst` resolves; other paths answer at once. */
async function startOneSlowRouteServer() {
  const firstArrived = deferred()
  const releaseFirst = deferred()
  const server = await startHttpServer(async (req, res) => {
    if (req.url === '/slow') {
      firstArrived.resolve()
      await releaseFirst.promise
    }
    res.end(req.url)
  })
  return {
    ...server,
    firstArrived: firstArrived.promise,
    releaseFirst: () => releaseFirst.resolve(),
  }
}

it("waiting too long for a pooled connection rejects with TimeoutError phase 'pool'", async () => {
  const server = await startOneSlowRouteServer()
  await using client = new Client({
    baseUrl: server.url,
    limits: { maxConnectionsPerHost: 1 },
    timeout: { pool: 300 },
  })

  const slow = client.get('/slow')
  slow.catch(() => {}) // awaited below; this only keeps an early failure from going unhandled
  await server.firstArrived
  const error = await rejectionOf(client.get('/queued'))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('pool')
  expect((error as TimeoutError).message).toContain('pool')

  server.releaseFirst()
  expect(await (await slow).text()).toBe('/slow')
  expect(await (await client.get('/after')).text()).toBe('/after')
  expect(server.connections.total).toBe(1)
})

it('a per-request pool timeout overrides the client one', async () => {
  const server = await startOneSlowRouteServer()
  // Only the override can end the wait with phase 'pool'; otherwise the total timeout fires.
  await using client = new Client({
    baseUrl: server.url,
    limits: { maxConnectionsPerHost: 1 },
    timeout: { pool: 120_000, total: 10_000 },
  })
  const slow = client.get('/slow', { timeout: { total: 0 } })
  slow.catch(() => {}) // awaited below; this only keeps an early failure from going unhandled
  await server.firstArrived
  const error = await rejectionOf(client.get('/queued', { timeout: { pool: 300 } }))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('pool')
  server.releaseFirst()
  expect(await (await slow).text()).toBe('/slow')
})
