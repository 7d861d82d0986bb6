import { afterEach, expect, it } from 'vitest'
import { AbortError, Client, Response, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('a custom isFailure decides what counts', async () => {
  const server = await startFlakyServer((res, _i, arrival) =>
    answer(res, arrival.url === '/throttled' ? 429 : 503),
  )
  const judged: unknown[] = []
  await using client = new Client({
    retry: false,
    circuitBreaker: {
      failureThreshold: 2,
      isFailure: (outcome) => {
        judged.push(outcome)
        return outcome instanceof Response && outcome.status === 429
      },
    },
  })
  for (let i = 0; i < 5; i++) await client.get(`${server.url}/down`)
  expect(client.breakers.state(server.url)).toBe('closed')
  await client.get(`${server.url}/throttled`)
  await client.get(`${server.url}/throttled`)
  expect(client.breakers.state(server.url)).toBe('open')
  expect(judged).toHaveLength(7)
})

it('timeouts count as failures by default', async () => {
  const server = await startHttpServer(() => {})
  await using client = new Client({
    retry: false,
    timeout: { read: 100 },
    circuitBreaker: { failureThreshold: 2 },
  })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(TimeoutError)
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(TimeoutError)
  expect(client.breakers.state(server.url)).toBe('open')
})

it('aborts never count, even when isFailure says everything is a failure', async () => {
  const server = await startHttpServer(() => {})
  await using client = new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 1, isFailure: () => true },
  })
  for (let i = 0; i < 3; i++) {
    const error = await rejectionOf(client.get(server.url, { signal: AbortSignal.timeout(50) }))
    expect(error).toBeInstanceOf(AbortError)
  }
  expect(client.breakers.state(server.url)).toBe('closed')
})
