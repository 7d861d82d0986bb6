import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function intervalsWith(
  backoff: NonNullable<NonNullable<ConstructorParameters<typeof Client>[0]>['retry']>,
) {
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({ retry: backoff })
  const res = await client.get(server.url)
  expect(res.status).toBe(500)
  return server.intervals()
}

it('constant backoff waits base between attempts', async () => {
  const intervals = await intervalsWith({ maxRetries: 3, backoff: { kind: 'constant', base: 200 } })
  expect(intervals).toHaveLength(3)
  for (const interval of intervals) expect(interval).toBeGreaterThanOrEqual(190)
})

it('decorrelated jitter waits between base and max, never less than base', async () => {
  const intervals = await intervalsWith({
    maxRetries: 3,
    backoff: { kind: 'decorrelated-jitter', base: 100, max: 400 },
  })
  expect(intervals).toHaveLength(3)
  for (const interval of intervals) {
    expect(interval).toBeGreaterThanOrEqual(95)
    expect(interval).toBeLessThan(400 + 1_000)
  }
})

it('exponential backoff with full jitter stays below its ceiling', async () => {
  const intervals = await intervalsWith({
    maxRetries: 3,
    backoff: { kind: 'exponential', base: 100, max: 250 },
  })
  expect(intervals).toHaveLength(3)
  expect(intervals.reduce((a, b) => a + b)).toBeLessThan(100 + 200 + 250 + 1_000)
})
