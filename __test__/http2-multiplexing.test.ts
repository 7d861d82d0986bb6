import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { deferred } from './helpers/async.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('runs 50 concurrent requests as streams of one HTTP/2 session', async () => {
  const streams = 50
  const allArrived = deferred()
  let arrived = 0
  const server = await startSecureServer(async (req, res) => {
    if (req.url === '/warm-up') return res.end('warm')
    arrived += 1
    if (arrived === streams) allArrived.resolve()
    // Every response waits until all 50 streams are open at once: only multiplexing gets there.
    await allArrived.promise
    res.end(`${req.url} ${req.httpVersion}`)
  })
  await using client = new Client({ tls: { ca: caPem() } })
  expect(await (await client.get(`${server.url}/warm-up`)).text()).toBe('warm')

  const bodies = await Promise.all(
    Array.from({ length: streams }, async (_, i) =>
      (await client.get(`${server.url}/${i}`)).text(),
    ),
  )
  expect(bodies).toEqual(Array.from({ length: streams }, (_, i) => `/${i} 2.0`))
  expect(server.sessions()).toBe(1)
  expect(server.connections.total).toBe(1)
})
