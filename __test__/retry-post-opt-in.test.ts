import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const fastRetries = { maxRetries: 2, backoff: { kind: 'none' as const } }

async function startServerFailingTwice() {
  return startFlakyServer((res, index) => (index < 2 ? answer(res, 503) : answer(res, 201)))
}

it('a POST with an Idempotency-Key header is retried with the same key and body', async () => {
  const server = await startServerFailingTwice()
  await using client = new Client({ retry: fastRetries })
  const res = await client.post(server.url, {
    headers: { 'idempotency-key': 'order-42' },
    json: { order: 42 },
  })
  expect(res.status).toBe(201)
  expect(res.attempts).toBe(3)
  expect(server.arrivals.map((a) => a.headers['idempotency-key'])).toEqual(
    Array(3).fill('order-42'),
  )
  expect(server.arrivals.map((a) => a.body.toString())).toEqual(Array(3).fill('{"order":42}'))
})

it('retry.idempotencyKey: false ignores the header', async () => {
  const server = await startServerFailingTwice()
  await using client = new Client({ retry: { ...fastRetries, idempotencyKey: false } })
  const res = await client.post(server.url, { headers: { 'idempotency-key': 'k' }, body: 'x' })
  expect(res.status).toBe(503)
  expect(server.arrivals).toHaveLength(1)
})

it('a per-request retry.nonIdempotent opts one POST in', async () => {
  const server = await startServerFailingTwice()
  await using client = new Client({ retry: fastRetries })
  const res = await client.post(server.url, { body: 'x', retry: { nonIdempotent: true } })
  expect(res.status).toBe(201)
  expect(server.arrivals).toHaveLength(3)
})

it('the client option retry.nonIdempotent opts every POST in', async () => {
  const server = await startServerFailingTwice()
  await using client = new Client({ retry: { ...fastRetries, nonIdempotent: true } })
  expect((await client.post(server.url, { body: 'x' })).status).toBe(201)
  expect(server.arrivals).toHaveLength(3)
})
