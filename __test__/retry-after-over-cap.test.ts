import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a Retry-After longer than maxRetryAfter returns the response at once', async () => {
  const server = await startFlakyServer((res) => answer(res, 503, { 'retry-after': '120' }))
  await using client = new Client({ retry: { maxRetries: 3, maxRetryAfter: 1_000 } })
  const started = performance.now()
  const res = await client.get(server.url)
  // Returned instead of waiting the 120 s the server asked for.
  expect(performance.now() - started).toBeLessThan(5_000)
  expect(res.status).toBe(503)
  expect(res.headers.get('retry-after')).toBe('120')
  expect(res.attempts).toBe(1)
  expect(server.arrivals).toHaveLength(1)
})

it('a Retry-After within the cap is waited for', async () => {
  const server = await startFlakyServer((res, index) =>
    index === 0 ? answer(res, 503, { 'retry-after': '1' }) : answer(res, 200),
  )
  await using client = new Client({ retry: { maxRetryAfter: 1_000 } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(server.intervals()[0]).toBeGreaterThanOrEqual(950)
})
