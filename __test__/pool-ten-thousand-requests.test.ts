import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('10,000 concurrent requests to one origin queue behind the connection cap and all settle', async () => {
  const server = await startRecordingServer((req, res) => res.end(req.url))
  await using client = new Client({ baseUrl: server.url })
  const count = 10_000
  const bodies = await Promise.all(
    Array.from({ length: count }, async (_, i) => (await client.get(`/${i}`)).text()),
  )
  expect(bodies.every((body, i) => body === `/${i}`)).toBe(true)
  // The default cap (128 per origin) bounds the sockets: no EMFILE, no socket per request.
  expect(server.connections.maxOpen).toBeLessThanOrEqual(128)
  expect(server.connections.total).toBeLessThan(count)
}, 120_000)
