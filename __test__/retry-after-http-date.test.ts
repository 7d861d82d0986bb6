import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a 503 with Retry-After as an HTTP-date is retried at that date', async () => {
  let retryAt = 0
  const server = await startFlakyServer((res, index) => {
    if (index > 0) return answer(res, 200)
    // HTTP-dates have whole seconds: ask for the start of the second after next.
    retryAt = (Math.floor(Date.now() / 1000) + 2) * 1000
    answer(res, 503, { 'retry-after': new Date(retryAt).toUTCString() })
  })
  await using client = new Client({ retry: { backoff: { kind: 'constant', base: 20_000 } } })
  const res = await client.get(server.url)
  const arrivedAt = Date.now()
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(2)
  expect(server.arrivals).toHaveLength(2)
  expect(arrivedAt).toBeGreaterThanOrEqual(retryAt - 50)
  expect(server.intervals()[0]).toBeGreaterThanOrEqual(950)
  expect(server.intervals()[0]).toBeLessThan(5_000)
})

it('an HTTP-date in the past is retried at once', async () => {
  const server = await startFlakyServer((res, index) => {
    if (index > 0) return answer(res, 200)
    answer(res, 503, { 'retry-after': new Date(Date.now() - 60_000).toUTCString() })
  })
  await using client = new Client({ retry: { backoff: { kind: 'constant', base: 20_000 } } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(server.intervals()[0]).toBeLessThan(5_000)
})
