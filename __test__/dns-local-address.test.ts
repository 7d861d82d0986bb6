import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('localAddress binds outgoing connections: the server sees 127.0.0.2', async () => {
  const server = await startHttpServer((req, res) => res.end(req.socket.remoteAddress))
  await using client = new Client({ localAddress: '127.0.0.2' })
  expect(await (await client.get(server.url)).text()).toBe('127.0.0.2')
})
