import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll, startRawServer } from './helpers/servers.js'

afterEach(closeAll)

it('a total timeout during a retry wait reports the attempts already made', async () => {
  // Two quick 503s, then one asking for a wait far beyond the total timeout.
  const server = await startFlakyServer((res, index) =>
    answer(res, 503, index < 2 ? {} : { 'retry-after': '30' }),
  )
  await using client = new Client({
    timeout: { total: 1_500 },
    retry: { maxRetries: 5, maxRetryAfter: 60_000, backoff: { kind: 'constant', base: 20 } },
  })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  expect(server.arrivals).toHaveLength(3)
  expect((error as TimeoutError).attempts).toBe(3)
})

it('a total timeout during an attempt counts that attempt', async () => {
  // A 503, then an answer that never comes: the second attempt is cut by the total timeout.
  const server = await startFlakyServer((res, index) => {
    if (index === 0) answer(res, 503)
  })
  await using client = new Client({
    timeout: { total: 1_000, read: 0 },
    retry: { backoff: { kind: 'constant', base: 20 } },
  })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  expect(server.arrivals).toHaveLength(2)
  expect((error as TimeoutError).attempts).toBe(2)
})

it('with beforeRetry hooks the count is the same', async () => {
  const server = await startFlakyServer((res, index) =>
    answer(res, 503, index < 1 ? {} : { 'retry-after': '30' }),
  )
  const seen: number[] = []
  await using client = new Client({
    timeout: { total: 1_500 },
    retry: { maxRetries: 5, backoff: { kind: 'constant', base: 20 } },
    hooks: { beforeRetry: [(_request, { attempt }) => void seen.push(attempt)] },
  })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  expect(seen).toEqual([2])
  expect((error as TimeoutError).attempts).toBe(2)
})

it('a total timeout while reading the body reports the attempts the response took', async () => {
  let connections = 0
  const server = await startRawServer((socket) => {
    connections += 1
    if (connections === 1) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      )
    } else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc') // and nothing more
    }
  })
  await using client = new Client({
    timeout: { total: 1_000, read: 0 },
    retry: { backoff: { kind: 'constant', base: 20 } },
  })
  const res = await client.get(server.url)
  expect(res.attempts).toBe(2)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
  expect((error as TimeoutError).attempts).toBe(2)
})
