import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it("waiting too long for a pooled connection rejects with TimeoutError phase 'pool'", async () => {
  const firstArrived = deferred()
  const releaseFirst = deferred()
  const server = await startHttpServer(async (req, res) => {
    if (req.url === '/slow') {
      firstArrived.resolve()
      await releaseFirst.promise
    }
    res.end(req.url)
  })
  await using client = new Client({
    baseUrl: server.url,
    limits: { maxConnectionsPerHost: 1 },
    timeout: { pool: 300 },
  })

  const slow = client.get('/slow')
  await firstArrived.promise
  const error = await rejectionOf(client.get('/queued'))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('pool')
  expect((error as TimeoutError).message).toContain('pool')

  releaseFirst.resolve()
  expect(await (await slow).text()).toBe('/slow')
  expect(await (await client.get('/after')).text()).toBe('/after')
  expect(server.connections.total).toBe(1)
})
