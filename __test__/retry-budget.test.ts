import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const REQUESTS = 30

// Breakers are off: an open breaker would stop the requests before the budget is tested.
async function sendAllFailing(client: Client, url: string): Promise<number[]> {
  const attempts: number[] = []
  for (let i = 0; i < REQUESTS; i++) attempts.push((await client.get(url)).attempts)
  return attempts
}

it('under sustained failure the budget stops retries: the server sees far fewer requests', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({
    circuitBreaker: false,
    retry: {
      maxRetries: 2,
      backoff: { kind: 'none' },
      budget: { ratio: 0, minPerSecond: 1, window: 1_000 },
    },
  })
  const attempts = await sendAllFailing(client, server.url)
  // One retry a second is allowed; without a budget the server would see 3 x 30 = 90.
  expect(server.arrivals.length).toBeLessThanOrEqual(REQUESTS + 4)
  expect(attempts.filter((n) => n === 1).length).toBeGreaterThanOrEqual(REQUESTS - 4)
})

it('a spent budget says so when it leaves an error unretried', async () => {
  const server = await startFlakyServer((res) => res.socket?.resetAndDestroy())
  await using client = new Client({
    circuitBreaker: false,
    retry: { backoff: { kind: 'none' }, budget: { ratio: 0, minPerSecond: 1, window: 1_000 } },
  })
  const messages: string[] = []
  for (let i = 0; i < 5; i++) {
    await client.get(server.url).catch((error: Error) => messages.push(error.message))
  }
  expect(messages.some((m) => m.includes("not retried: the client's retry budget is spent"))).toBe(
    true,
  )
})

it('with the budget off every failing request is retried in full', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({
    circuitBreaker: false,
    retry: { maxRetries: 2, backoff: { kind: 'none' }, budget: false },
  })
  const attempts = await sendAllFailing(client, server.url)
  expect(server.arrivals).toHaveLength(REQUESTS * 3)
  expect(attempts.every((n) => n === 3)).toBe(true)
})
