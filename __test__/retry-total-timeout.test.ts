import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('the total timeout covers every attempt and every wait', async () => {
  const server = await startFlakyServer((res) => answer(res, 503, { 'retry-after': '5' }))
  await using client = new Client({ timeout: { total: 700 } })
  const started = performance.now()
  const error = await rejectionOf(client.get(server.url))
  const elapsed = performance.now() - started
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  expect(elapsed).toBeGreaterThanOrEqual(650)
  expect(elapsed).toBeLessThan(3_000)
  expect(server.arrivals).toHaveLength(1)
})

it('a slow first attempt times out on its read timeout and the retry succeeds', async () => {
  const server = await startFlakyServer((res, index) => {
    if (index === 0) setTimeout(() => answer(res, 200), 2_000)
    else answer(res, 200)
  })
  await using client = new Client({
    timeout: { read: 300, total: 10_000 },
    retry: { backoff: { kind: 'none' } },
  })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(2)
  expect(server.arrivals).toHaveLength(2)
})

it('a response that is always too slow fails with the read timeout after every attempt', async () => {
  const server = await startFlakyServer((res) => setTimeout(() => answer(res, 200), 2_000))
  await using client = new Client({
    timeout: { read: 200 },
    retry: { maxRetries: 1, backoff: { kind: 'none' } },
  })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('headers')
  expect((error as TimeoutError).attempts).toBe(2)
})
