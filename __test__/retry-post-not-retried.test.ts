import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const fastRetries = { maxRetries: 3, backoff: { kind: 'none' as const } }

it('a POST answered 503 arrives exactly once without an opt-in', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({ retry: fastRetries })
  const res = await client.post(server.url, { json: { order: 1 } })
  expect(res.status).toBe(503)
  expect(res.attempts).toBe(1)
  expect(server.arrivals).toHaveLength(1)
})

it('a PATCH answered 503 arrives exactly once without an opt-in', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({ retry: fastRetries })
  expect((await client.patch(server.url, { body: 'x' })).status).toBe(503)
  expect(server.arrivals).toHaveLength(1)
})

it('a PUT (idempotent) answered 503 is retried with the same body', async () => {
  const server = await startFlakyServer((res) => answer(res, 503))
  await using client = new Client({ retry: fastRetries })
  const res = await client.put(server.url, { body: 'replacement' })
  expect(res.attempts).toBe(4)
  expect(server.arrivals.map((a) => a.body.toString())).toEqual(Array(4).fill('replacement'))
})
