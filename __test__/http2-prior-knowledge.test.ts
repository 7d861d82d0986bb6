import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startH2cServer } from './helpers/servers.js'

afterEach(closeAll)

it('http2PriorKnowledge speaks cleartext HTTP/2 (h2c) to an http: URL', async () => {
  const server = await startH2cServer((req, res) =>
    res.end(`${req.method} ${req.url} ${req.httpVersion}`),
  )
  await using client = new Client({ baseUrl: server.url, http2PriorKnowledge: true })
  expect(await (await client.get('/a')).text()).toBe('GET /a 2.0')
  expect(await (await client.post('/b', { body: 'x' })).text()).toBe('POST /b 2.0')
  expect(server.sessions()).toBe(1)
  expect(server.connections.total).toBe(1)
})

it('multiplexes concurrent h2c requests on one session', async () => {
  const server = await startH2cServer((req, res) => res.end(req.url))
  await using client = new Client({ baseUrl: server.url, http2PriorKnowledge: true })
  await (await client.get('/warm-up')).text()
  const bodies = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => (await client.get(`/${i}`)).text()),
  )
  expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `/${i}`))
  expect(server.sessions()).toBe(1)
})
