import { afterEach, expect, it } from 'vitest'
import {
  AbortError,
  Client,
  ConnectError,
  type RetryInfo,
  TimeoutError,
} from '../dist/esm/index.js'
import { rejectionOf, until } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('beforeRetry runs before each retry and its changes reach the server', async () => {
  const server = await startFlakyServer((res, index) =>
    index < 2 ? answer(res, 503) : answer(res, 200),
  )
  const infos: RetryInfo[] = []
  await using client = new Client({
    retry: { maxRetries: 3, backoff: { kind: 'constant', base: 50 } },
    hooks: {
      beforeRetry: [
        (request, info) => {
          infos.push(info)
          request.headers.set('x-attempt', String(info.attempt))
        },
      ],
    },
  })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(3)
  expect(infos.map((i) => [i.attempt, i.delay, i.response?.status, i.error])).toEqual([
    [2, 50, 503, undefined],
    [3, 50, 503, undefined],
  ])
  expect(server.arrivals.map((a) => a.headers['x-attempt'])).toEqual([undefined, '2', '3'])
  for (const interval of server.intervals()) expect(interval).toBeGreaterThanOrEqual(45)
})

it('the facade retry loop honours Retry-After like the engine', async () => {
  const server = await startFlakyServer((res, index) =>
    index === 0 ? answer(res, 503, { 'retry-after': '1' }) : answer(res, 200),
  )
  const delays: number[] = []
  await using client = new Client({
    retry: { backoff: { kind: 'constant', base: 20_000 } },
    hooks: { beforeRetry: [(_request, { delay }) => void delays.push(delay)] },
  })
  expect((await client.get(server.url)).status).toBe(200)
  expect(delays).toEqual([1_000])
  expect(server.intervals()[0]).toBeGreaterThanOrEqual(950)
})

it('network errors are retried with the error in the info; attempts are reported on failure', async () => {
  const server = await startFlakyServer((res) => res.socket?.resetAndDestroy())
  const errors: unknown[] = []
  await using client = new Client({
    retry: { maxRetries: 2, backoff: { kind: 'none' } },
    hooks: { beforeRetry: [(_request, { error }) => void errors.push(error)] },
  })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).attempts).toBe(3)
  expect(errors).toHaveLength(2)
  expect(errors.every((e) => e instanceof ConnectError)).toBe(true)
  expect(server.arrivals).toHaveLength(3)
})

it('the same policy applies: a POST is not retried and beforeRetry never runs', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  let called = 0
  await using client = new Client({
    retry: { backoff: { kind: 'none' } },
    hooks: { beforeRetry: [() => void called++] },
  })
  const res = await client.post(server.url, { body: 'once' })
  expect(res.status).toBe(503)
  expect(res.attempts).toBe(1)
  expect(called).toBe(0)
  expect(server.arrivals).toHaveLength(1)
})

it('a stream body is not retried and the error says so', async () => {
  const server = await startFlakyServer((res) => res.socket?.resetAndDestroy())
  await using client = new Client({
    retry: { backoff: { kind: 'none' } },
    hooks: { beforeRetry: [() => {}] },
  })
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('once'))
      controller.close()
    },
  })
  const error = await rejectionOf(client.put(server.url, { body }))
  expect((error as Error).message).toMatch(/not retried: the request body was a stream/)
  expect(server.arrivals).toHaveLength(1)
})

it('the budget limits facade retries too', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({
    circuitBreaker: false,
    retry: { backoff: { kind: 'none' }, budget: { ratio: 0, minPerSecond: 1, window: 1_000 } },
    hooks: { beforeRetry: [() => {}] },
  })
  for (let i = 0; i < 20; i++) await client.get(server.url)
  expect(server.arrivals.length).toBeLessThanOrEqual(20 + 3)
})

it('an abort during the wait rejects at once; the total timeout covers the waits', async () => {
  const server = await startFlakyServer((res) => answer(res, 503, { 'retry-after': '30' }))
  await using client = new Client({ hooks: { beforeRetry: [() => {}] } })
  const controller = new AbortController()
  const pending = client.get(server.url, { signal: controller.signal })
  await until(() => server.arrivals.length === 1)
  const abortedAt = performance.now()
  controller.abort()
  expect(await rejectionOf(pending)).toBeInstanceOf(AbortError)
  expect(performance.now() - abortedAt).toBeLessThan(2_000) // against a 30 s wait

  const started = performance.now()
  const timeout = await rejectionOf(client.get(server.url, { timeout: 400 }))
  expect(timeout).toBeInstanceOf(TimeoutError)
  expect((timeout as TimeoutError).phase).toBe('total')
  expect(performance.now() - started).toBeLessThan(3_000)
})

it('a request-level beforeRetry switches only that request to the facade loop', async () => {
  const server = await startFlakyServer((res, index) =>
    index % 2 === 0 ? answer(res, 503) : answer(res, 200),
  )
  await using client = new Client({ retry: { backoff: { kind: 'none' } } })
  const attempts: number[] = []
  const res = await client.get(server.url, {
    hooks: { beforeRetry: [(_r, info) => void attempts.push(info.attempt)] },
  })
  expect(res.attempts).toBe(2)
  expect(attempts).toEqual([2])
  expect((await client.get(server.url)).attempts).toBe(2)
})
