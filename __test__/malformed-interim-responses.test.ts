import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startScriptedServer } from './helpers/scripted.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('skips 100 Continue and 103 Early Hints and returns the final response', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('final')
})

it('an unrequested 101 Switching Protocols is a ProtocolError', async () => {
  const server = await startScriptedServer(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n',
  )
  await using client = new Client({ timeout: { read: 10_000 } })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(ProtocolError)
})
