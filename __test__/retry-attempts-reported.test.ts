import { afterEach, expect, it } from 'vitest'
import { Client, ConnectError, fetch } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll, closedPort } from './helpers/servers.js'

afterEach(closeAll)

it('a response reports the attempts it took', async () => {
  const server = await startFlakyServer((res, index) =>
    index < 2 ? answer(res, 502) : answer(res, 200),
  )
  await using client = new Client({ retry: { backoff: { kind: 'none' } } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(3)
})

it('a response that was not retried reports 1', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client()
  expect((await client.get(server.url)).attempts).toBe(1)
})

it('an error reports the attempts made before giving up (default: two retries)', async () => {
  const port = await closedPort()
  await using client = new Client({ retry: { backoff: { kind: 'none' } } })
  const error = await rejectionOf(client.get(`http://127.0.0.1:${port}/`))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).attempts).toBe(3)
})

it('the drop-in fetch does not retry', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  const res = await fetch(server.url)
  expect(res.status).toBe(503)
  expect(res.attempts).toBe(1)
  expect(server.arrivals).toHaveLength(1)
})

it('client.fetch retries as its client is configured', async () => {
  const server = await startFlakyServer((res, index) =>
    index === 0 ? answer(res, 503) : answer(res, 200),
  )
  await using client = new Client({ retry: { backoff: { kind: 'none' } } })
  const res = await client.fetch(server.url)
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(2)
})
