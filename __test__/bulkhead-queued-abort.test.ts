import { afterEach, expect, it } from 'vitest'
import { AbortError, Client, ClientClosedError, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf, until } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function startHoldingServer() {
  const release: Array<() => void> = []
  const server = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  return { server, release }
}

it('an aborted queued request leaves the queue at once and never reaches the server', async () => {
  const { server, release } = await startHoldingServer()
  await using client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } })
  const running = client.get(`${server.url}/running`)
  await until(() => release.length === 1)
  const controller = new AbortController()
  const queued = client.get(`${server.url}/aborted`, { signal: controller.signal })
  controller.abort(new Error('changed my mind'))
  const error = await rejectionOf(queued)
  expect(error).toBeInstanceOf(AbortError)
  expect((error as AbortError).cause).toEqual(new Error('changed my mind'))
  // Its place in the queue is free again.
  const next = client.get(`${server.url}/next`)
  release[0]()
  await running
  await until(() => release.length === 2)
  release[1]()
  expect((await next).status).toBe(200)
  expect(server.arrivals.map((a) => a.url)).toEqual(['/running', '/next'])
})

it('client.fetch: an aborted queued request rejects with the signal reason', async () => {
  const { server, release } = await startHoldingServer()
  await using client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } })
  const running = client.fetch(server.url)
  await until(() => release.length === 1)
  const reason = new Error('stop')
  const controller = new AbortController()
  const queued = client.fetch(server.url, { signal: controller.signal })
  controller.abort(reason)
  expect(await rejectionOf(queued)).toBe(reason)
  release[0]()
  await running
})

it('time in the queue counts toward the total timeout', async () => {
  const { server, release } = await startHoldingServer()
  await using client = new Client({
    bulkhead: { maxConcurrent: 1, maxQueue: 1 },
    timeout: { total: 300 },
  })
  const running = client.get(server.url, { timeout: { total: 5_000 } })
  await until(() => release.length === 1)
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  release[0]()
  await running
  expect(server.arrivals).toHaveLength(1)
})

it('closing the client fails queued requests with ClientClosedError', async () => {
  const { server, release } = await startHoldingServer()
  const client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } })
  const running = client.get(server.url)
  await until(() => release.length === 1)
  const queued = client.get(server.url)
  await client.close()
  expect(await rejectionOf(queued)).toBeInstanceOf(ClientClosedError)
  expect(await rejectionOf(running)).toBeInstanceOf(ClientClosedError)
})
