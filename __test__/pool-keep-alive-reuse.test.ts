import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('sequential requests from a Client reuse one keep-alive connection', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url })
  for (let i = 0; i < 10; i++) expect(await (await client.get(`/${i}`)).text()).toBe('ok')
  expect(server.requests).toHaveLength(10)
  expect(server.connections.total).toBe(1)
  expect(new Set(server.requests.map((r) => r.remotePort)).size).toBe(1)
})

it('the default fetch client reuses its connection too', async () => {
  const server = await startRecordingServer()
  for (let i = 0; i < 5; i++) await (await fetch(server.url)).arrayBuffer()
  expect(server.connections.total).toBe(1)
})

it('a connection whose body was fully read is reused even for POST', async () => {
  const server = await startRecordingServer((req, res) => res.end(req.body))
  await using client = new Client({ baseUrl: server.url })
  for (let i = 0; i < 5; i++)
    expect(await (await client.post('/', { body: `body ${i}` })).text()).toBe(`body ${i}`)
  expect(server.connections.total).toBe(1)
})
