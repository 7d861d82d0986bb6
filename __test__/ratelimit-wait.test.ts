import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('in wait mode, requests over the rate are delayed to the rate (10/s, burst 1)', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ rateLimit: { rate: 10, burst: 1, mode: 'wait' } })
  const started = performance.now()
  const responses = await Promise.all(Array.from({ length: 5 }, () => client.get(server.url)))
  const elapsed = performance.now() - started
  expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
  // The first goes at once, each later one waits for a token: 4 x 100 ms.
  expect(elapsed).toBeGreaterThanOrEqual(350)
  const [first, , , , last] = server.arrivals
  expect(last.at - first.at).toBeGreaterThanOrEqual(350)
})

it('a burst goes at once, then the rate applies', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ rateLimit: { rate: 5, burst: 3 } })
  const started = performance.now()
  await Promise.all(Array.from({ length: 4 }, () => client.get(server.url)))
  // Three tokens are there at once; the fourth comes 200 ms later. Measured from the start
  // (not from the first arrival, which a loaded machine can delay with connection setup).
  const last = Math.max(...server.arrivals.map((a) => a.at))
  expect(last - started).toBeGreaterThanOrEqual(150)
})

it('each origin has its own bucket', async () => {
  const a = await startFlakyServer((res) => answer(res, 200))
  const b = await startFlakyServer((res) => answer(res, 200))
  // One token per 5 s: a shared bucket would hold the second request back 5 s.
  await using client = new Client({ rateLimit: { rate: 0.2, burst: 1 } })
  const started = performance.now()
  await Promise.all([client.get(a.url), client.get(b.url)])
  expect(performance.now() - started).toBeLessThan(4_000)
})
