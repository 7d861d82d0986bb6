import { afterEach, expect, it } from 'vitest'
import { Client, RateLimitError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('in reject mode, a request over the limit fails with RateLimitError and never reaches the server', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ rateLimit: { rate: 1, burst: 2, mode: 'reject' } })
  const results = await Promise.allSettled([1, 2, 3].map(() => client.get(server.url)))
  const rejected = results.filter((r) => r.status === 'rejected')
  expect(rejected).toHaveLength(1)
  const error = (rejected[0] as PromiseRejectedResult).reason
  expect(error).toBeInstanceOf(RateLimitError)
  expect(error.code).toBe('ERR_RATE_LIMITED')
  expect(server.arrivals).toHaveLength(2)
})

it('a rate-limit rejection does not count against the circuit breaker', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({
    rateLimit: { rate: 0.001, burst: 1, mode: 'reject' },
    circuitBreaker: { failureThreshold: 1 },
  })
  await client.get(server.url)
  for (let i = 0; i < 3; i++) {
    expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(RateLimitError)
  }
  expect(client.breakers.state(server.url)).toBe('closed')
})
