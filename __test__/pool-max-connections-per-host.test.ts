import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

class InFlight {
  current = 0
  peak = 0
}

/** Answers after a short pause so that requests pile up on the client side. */
async function startSlowishServer(inFlight = new InFlight()) {
  const server = await startRecordingServer((req, res) => {
    inFlight.current += 1
    inFlight.peak = Math.max(inFlight.peak, inFlight.current)
    setTimeout(() => {
      inFlight.current -= 1
      res.end(req.url)
    }, 10)
  })
  return { ...server, inFlight }
}

it('never opens more than maxConnectionsPerHost sockets while 50 requests run; all succeed', async () => {
  const server = await startSlowishServer()
  await using client = new Client({ baseUrl: server.url, limits: { maxConnectionsPerHost: 4 } })
  const bodies = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => (await client.get(`/${i}`)).text()),
  )
  expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => `/${i}`))
  expect(server.connections.maxOpen).toBeLessThanOrEqual(4)
  expect(server.connections.total).toBeLessThanOrEqual(4)
  expect(server.inFlight.peak).toBeLessThanOrEqual(4)
})

it('a cap of 1 serializes requests over a single socket', async () => {
  const server = await startSlowishServer()
  await using client = new Client({ baseUrl: server.url, limits: { maxConnectionsPerHost: 1 } })
  await Promise.all(Array.from({ length: 10 }, async (_, i) => (await client.get(`/${i}`)).text()))
  expect(server.connections.total).toBe(1)
  expect(server.inFlight.peak).toBe(1)
})

it('maxConnections caps concurrent requests across all hosts; all succeed', async () => {
  const shared = new InFlight()
  const first = await startSlowishServer(shared)
  const second = await startSlowishServer(shared)
  await using client = new Client({ limits: { maxConnections: 2 } })
  const urls = Array.from({ length: 20 }, (_, i) => `${i % 2 ? first.url : second.url}/${i}`)
  const bodies = await Promise.all(urls.map(async (url) => (await client.get(url)).text()))
  expect(bodies).toEqual(urls.map((url) => new URL(url).pathname))
  expect(shared.peak).toBeLessThanOrEqual(2)
})
