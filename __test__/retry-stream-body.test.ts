import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
}

const fastRetries = { maxRetries: 3, backoff: { kind: 'none' as const } }

it('a streamed PUT answered 503 is sent once and the 503 returned', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({ retry: fastRetries })
  const res = await client.put(server.url, { body: streamOf('part one, ', 'part two') })
  expect(res.status).toBe(503)
  expect(res.attempts).toBe(1)
  expect(server.arrivals).toHaveLength(1)
  expect(server.arrivals[0].body.toString()).toBe('part one, part two')
})

it('a streamed PUT whose connection dies before the response fails once, saying why', async () => {
  const server = await startFlakyServer((res) => res.socket?.resetAndDestroy())
  await using client = new Client({ retry: fastRetries })
  const error = await rejectionOf(client.put(server.url, { body: streamOf('only once') }))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).attempts).toBe(1)
  expect((error as ConnectError).message).toMatch(/not retried: the request body was a stream/)
  expect(server.arrivals).toHaveLength(1)
})
