import { afterEach, expect, it } from 'vitest'
import { Client, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** Sends a byte every 50 ms forever: never idle, never done. */
async function startEndlessTrickle() {
  return startHttpServer((_req, res) => {
    res.writeHead(200)
    const timer = setInterval(() => res.write('.'), 50)
    res.once('close', () => clearInterval(timer))
  })
}

it("a body that never ends rejects with TimeoutError phase 'total'", async () => {
  const server = await startEndlessTrickle()
  await using client = new Client({ timeout: { total: 1_000, read: 5_000 } })
  const res = await client.get(server.url)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('total')
  expect((error as TimeoutError).message).toContain('total')
})

it('a number timeout is the total timeout', async () => {
  const server = await startEndlessTrickle()
  await using client = new Client({ timeout: 1_000 })
  const res = await client.get(server.url)
  const error = await rejectionOf(res.arrayBuffer())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
})

it('the total timeout also covers waiting for headers', async () => {
  const server = await startHttpServer(() => {})
  await using client = new Client({ timeout: { total: 500, read: 10_000 } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
})

it('a per-request number timeout sets the total for that request', async () => {
  const server = await startEndlessTrickle()
  await using client = new Client()
  const res = await client.get(server.url, { timeout: 800 })
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('total')
})
