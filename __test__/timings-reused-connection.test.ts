import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('a request on a pooled connection reports reused and no dns, connect or tls', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using client = new Client()
  const first = await client.get(server.url)
  await first.text()
  // Lets the finished connection reach the idle pool (README, Known gaps).
  await sleep(200)
  const second = await client.get(server.url)
  await second.text()
  expect(server.connections.total).toBe(1)

  expect(first.timings?.reused).toBe(false)
  expect(first.timings?.connect).toBeTypeOf('number')

  const timings = second.timings
  expect(timings?.reused).toBe(true)
  expect(timings?.dns).toBeUndefined()
  expect(timings?.connect).toBeUndefined()
  expect(timings?.tls).toBeUndefined()
  expect(timings?.queued).toBeTypeOf('number')
  expect(timings?.firstByte).toBeGreaterThanOrEqual(timings?.queued as number)
  // A body that came with the head ends when the engine had it whole.
  expect(timings?.end).toBeGreaterThanOrEqual(timings?.firstByte as number)
})
