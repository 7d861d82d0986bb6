import { afterEach, expect, it } from 'vitest'
import { BulkheadFullError, Client } from '../dist/esm/index.js'
import { rejectionOf, until } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('beyond maxConcurrent running and maxQueue queued, a request fails at once with BulkheadFullError', async () => {
  const release: Array<() => void> = []
  const server = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  await using client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } })
  const running = client.get(server.url)
  await until(() => release.length === 1)
  const queued = client.get(server.url)
  const started = performance.now()
  const error = await rejectionOf(client.get(server.url))
  // At once, not after the running request: generous for a loaded machine.
  expect(performance.now() - started).toBeLessThan(1_000)
  expect(error).toBeInstanceOf(BulkheadFullError)
  expect((error as BulkheadFullError).code).toBe('ERR_BULKHEAD_FULL')
  expect((error as BulkheadFullError).origin).toBe(server.url)
  expect(server.arrivals).toHaveLength(1)

  release[0]()
  await running
  await until(() => release.length === 2)
  release[1]()
  expect((await queued).status).toBe(200)
  expect(server.arrivals).toHaveLength(2)
})

it('without maxQueue nothing waits: over the cap is refused', async () => {
  const release: Array<() => void> = []
  const server = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  await using client = new Client({ bulkhead: { maxConcurrent: 2 } })
  const running = [client.get(server.url), client.get(server.url)]
  await until(() => release.length === 2)
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(BulkheadFullError)
  for (const r of release) r()
  await Promise.all(running)
})

it('client.fetch rejects like fetch, with BulkheadFullError as cause', async () => {
  const release: Array<() => void> = []
  const server = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  await using client = new Client({ bulkhead: { maxConcurrent: 1 } })
  const running = client.fetch(server.url)
  await until(() => release.length === 1)
  const error = await rejectionOf(client.fetch(server.url))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(BulkheadFullError)
  release[0]()
  await running
})

it('a full bulkhead does not count against the circuit breaker', async () => {
  const release: Array<() => void> = []
  const server = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  await using client = new Client({
    bulkhead: { maxConcurrent: 1 },
    circuitBreaker: { failureThreshold: 1 },
  })
  const running = client.get(server.url)
  await until(() => release.length === 1)
  for (let i = 0; i < 3; i++) await rejectionOf(client.get(server.url))
  expect(client.breakers.state(server.url)).toBe('closed')
  release[0]()
  await running
})
