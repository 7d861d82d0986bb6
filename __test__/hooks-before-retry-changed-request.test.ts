import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const fastRetries = { backoff: { kind: 'none' as const } }

it('a beforeRetry hook that changes the URL and the body sends them on the retry', async () => {
  const server = await startFlakyServer((res, index) => answer(res, index === 0 ? 503 : 200))
  await using client = new Client({
    retry: fastRetries,
    hooks: {
      beforeRetry: [
        (request) => {
          request.url = `${server.url}/fallback`
          request.json = { attempt: 2 }
        },
      ],
    },
  })
  const res = await client.put(`${server.url}/primary`, { json: { attempt: 1 } })
  expect(res.status).toBe(200)
  expect(res.url).toBe(`${server.url}/fallback`)
  expect(server.arrivals.map((a) => [a.url, a.body.toString()])).toEqual([
    ['/primary', '{"attempt":1}'],
    ['/fallback', '{"attempt":2}'],
  ])
})

it('a beforeRetry hook that throws ends the request with what it threw, sent once', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  const stop = new Error('give up')
  await using client = new Client({
    retry: fastRetries,
    hooks: {
      beforeRetry: [
        () => {
          throw stop
        },
      ],
    },
  })
  expect(await rejectionOf(client.get(server.url))).toBe(stop)
  expect(server.arrivals).toHaveLength(1)
})

it('a beforeRetry hook that sets a stream body gets an InvalidArgumentError', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({
    retry: fastRetries,
    hooks: {
      beforeRetry: [
        (request) => {
          request.body = new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('again'))
              controller.close()
            },
          })
        },
      ],
    },
  })
  const error = await rejectionOf(client.put(server.url, { body: 'first' }))
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as Error).message).toMatch(/stream body, which cannot be sent again/)
  expect(server.arrivals).toHaveLength(1)
})
