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
  await Promise.all(Array.from({ length: 4 }, () => client.get(server.url)))
  const fromFirst = server.arrivals.map((a) => a.at - server.arrivals[0].at)
  expect(fromFirst[3]).toBeGreaterThanOrEqual(150)
})

it('each origin has its own bucket', async () => {
  const a = await startFlakyServer((res) => answer(res, 200))
  const b = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ rateLimit: { rate: 1, burst: 1 } })
  const started = performance.now()
  await Promise.all([client.get(a.url), client.get(b.url)])
  expect(performance.now() - started).toBeLessThan(900)
})
