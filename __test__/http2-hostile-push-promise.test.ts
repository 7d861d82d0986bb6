import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { failureOf } from './helpers/errors.js'
import {
  closeRawH2cServers,
  FLAG,
  FRAME,
  frame,
  headerBlock,
  startRawH2cServer,
} from './helpers/h2-frames.js'
import { closeAll, startH2cServer } from './helpers/servers.js'

afterEach(() => Promise.all([closeAll(), closeRawH2cServers()]))

it('an HTTP/2 PUSH_PROMISE (push is disabled) is a ProtocolError; the client keeps working', async () => {
  const hostile = await startRawH2cServer((socket, stream) => {
    const promised = Buffer.alloc(4)
    promised.writeUInt32BE(2)
    const request = headerBlock([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', '127.0.0.1'],
      [':path', '/pushed'],
    ])
    socket.write(
      frame(FRAME.PUSH_PROMISE, FLAG.END_HEADERS, stream, Buffer.concat([promised, request])),
    )
  })
  const healthy = await startH2cServer((_req, res) => res.end('healthy'))
  await using client = new Client({
    http2PriorKnowledge: true,
    retry: { maxRetries: 0 },
    timeout: { read: 10_000 },
  })

  const error = await failureOf(client.get(`${hostile.url}/`))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_PROTOCOL')

  expect(await (await client.get(`${healthy.url}/`)).text()).toBe('healthy')
})
