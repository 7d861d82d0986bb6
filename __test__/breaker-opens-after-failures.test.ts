import { afterEach, expect, it } from 'vitest'
import { CircuitBreakerOpenError, Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { ManualClock } from './helpers/clock.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll, closedPort } from './helpers/servers.js'

afterEach(closeAll)

it('by default, 5 failed requests in a row open the breaker and the 6th never reaches the network', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({ retry: false })
  for (let i = 0; i < 5; i++) expect((await client.get(server.url)).status).toBe(503)
  expect(client.breakers.state(server.url)).toBe('open')
  const connections = server.connections.total
  const started = performance.now()
  const error = await rejectionOf(client.get(`${server.url}/other/path`))
  // At once: no connection (asserted below), no timer; generous for a loaded machine.
  expect(performance.now() - started).toBeLessThan(1_000)
  expect(error).toBeInstanceOf(CircuitBreakerOpenError)
  const open = error as CircuitBreakerOpenError
  expect(open.code).toBe('ERR_CIRCUIT_OPEN')
  expect(open.origin).toBe(server.url)
  expect(open.retryAfter).toBeGreaterThan(29_000)
  expect(open.retryAfter).toBeLessThanOrEqual(30_000)
  expect(open.attempts).toBe(0)
  expect(open.message).toContain('HTTP 503')
  expect(server.arrivals).toHaveLength(5)
  expect(server.connections.total).toBe(connections)
})

it('retryAfter counts down on the breaker clock', async () => {
  const clock = new ManualClock()
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 2, recoveryTimeout: 10_000, now: clock.now },
  })
  await client.get(server.url)
  await client.get(server.url)
  clock.advance(4_000)
  const error = (await rejectionOf(client.get(server.url))) as CircuitBreakerOpenError
  expect(error.retryAfter).toBe(6_000)
  expect(error.message).toContain('6000 ms')
})

it('network errors count as failures, and the open error keeps the last one as cause', async () => {
  const port = await closedPort()
  await using client = new Client({ retry: false, circuitBreaker: { failureThreshold: 2 } })
  const url = `http://127.0.0.1:${port}/`
  expect(await rejectionOf(client.get(url))).toBeInstanceOf(ConnectError)
  expect(await rejectionOf(client.get(url))).toBeInstanceOf(ConnectError)
  const error = await rejectionOf(client.get(url))
  expect(error).toBeInstanceOf(CircuitBreakerOpenError)
  expect((error as CircuitBreakerOpenError).cause).toBeInstanceOf(ConnectError)
})

it('a request retried by the engine counts once, by its final outcome', async () => {
  const server = await startFlakyServer((res, index) =>
    index % 2 === 0 ? answer(res, 503) : answer(res, 200),
  )
  await using client = new Client({
    retry: { maxRetries: 1, backoff: { kind: 'none' } },
    circuitBreaker: { failureThreshold: 1 },
  })
  for (let i = 0; i < 3; i++) expect((await client.get(server.url)).status).toBe(200)
  expect(client.breakers.state(server.url)).toBe('closed')
})

it('4xx responses are not failures, and a success resets the count', async () => {
  const server = await startFlakyServer((res, index) => {
    if (index < 10) answer(res, 404)
    else if (index === 12) answer(res, 200)
    else answer(res, 500)
  })
  await using client = new Client({ retry: false, circuitBreaker: { failureThreshold: 3 } })
  for (let i = 0; i < 10; i++) await client.get(server.url)
  expect(client.breakers.state(server.url)).toBe('closed')
  for (let i = 0; i < 5; i++) await client.get(server.url) // 500 500 200 500 500
  expect(client.breakers.state(server.url)).toBe('closed')
  await client.get(server.url)
  expect(client.breakers.state(server.url)).toBe('open')
})

it('each origin has its own breaker', async () => {
  const sick = await startFlakyServer((res) => answer(res, 500))
  const healthy = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ retry: false, circuitBreaker: { failureThreshold: 1 } })
  await client.get(sick.url)
  expect(await rejectionOf(client.get(sick.url))).toBeInstanceOf(CircuitBreakerOpenError)
  expect((await client.get(healthy.url)).status).toBe(200)
  expect(client.breakers.state(healthy.url)).toBe('closed')
})

it('client.fetch rejects like fetch, with the open error as cause', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({ retry: false, circuitBreaker: { failureThreshold: 1 } })
  await client.fetch(server.url)
  const error = await rejectionOf(client.fetch(server.url))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).message).toBe('fetch failed')
  expect((error as TypeError).cause).toBeInstanceOf(CircuitBreakerOpenError)
  expect(server.arrivals).toHaveLength(1)
})
