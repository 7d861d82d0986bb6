import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a 503 with Retry-After in seconds is retried after that many seconds', async () => {
  const server = await startFlakyServer((res, index) => {
    if (index < 2) answer(res, 503, { 'retry-after': '1' })
    else answer(res, 200)
  })
  // A backoff far longer than the test: only Retry-After can explain a 1 s interval.
  await using client = new Client({
    retry: { maxRetries: 2, backoff: { kind: 'constant', base: 20_000 } },
  })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(3)
  expect(server.arrivals).toHaveLength(3)
  for (const interval of server.intervals()) {
    expect(interval).toBeGreaterThanOrEqual(950)
    expect(interval).toBeLessThan(5_000)
  }
})

it('a 429 with Retry-After: 0 is retried at once', async () => {
  const server = await startFlakyServer((res, index) => {
    if (index === 0) answer(res, 429, { 'retry-after': '0' })
    else answer(res, 200)
  })
  await using client = new Client({
    retry: { backoff: { kind: 'constant', base: 20_000 } },
  })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(2)
  expect(server.intervals()[0]).toBeLessThan(5_000)
})
