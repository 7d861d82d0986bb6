import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('circuitBreaker: false never refuses a request', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({ retry: false, circuitBreaker: false })
  const events: unknown[] = []
  client.breakers.addEventListener('statechange', (e) => events.push(e))
  for (let i = 0; i < 20; i++) expect((await client.get(server.url)).status).toBe(500)
  expect(server.arrivals).toHaveLength(20)
  expect(client.breakers.state(server.url)).toBe('closed')
  expect(client.breakers.export()).toEqual({ version: 1, origins: {} })
  expect(events).toHaveLength(0)
})

it('the drop-in fetch has no breaker, like the platform fetch', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  for (let i = 0; i < 10; i++) expect((await fetch(server.url)).status).toBe(500)
  expect(server.arrivals).toHaveLength(10)
})
