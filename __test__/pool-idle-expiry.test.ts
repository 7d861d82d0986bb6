import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('an idle connection older than keepAliveTimeout is not reused, and nothing fails', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url, limits: { keepAliveTimeout: 500 } })
  expect(await (await client.get('/first')).text()).toBe('ok')
  expect(await (await client.get('/reused')).text()).toBe('ok')
  expect(server.connections.total).toBe(1)

  await sleep(1_500)
  expect(await (await client.get('/after-idle')).text()).toBe('ok')
  expect(server.connections.total).toBe(2)
  expect(server.requests[2]?.remotePort).not.toBe(server.requests[0]?.remotePort)
})

it('the client closes the expired idle socket itself', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url, limits: { keepAliveTimeout: 500 } })
  await (await client.get('/')).text()
  const [socket] = server.connections.sockets
  if (socket === undefined) throw new Error('no connection')
  await sleep(1_500)
  await client.get('/')
  await server.connections.closed(socket)
  expect(socket.closed).toBe(true)
})
