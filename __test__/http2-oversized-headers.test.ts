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

afterEach(closeRawH2cServers)

it('an HTTP/2 response head over maxHeaderSize is ERR_HEADERS_TOO_LARGE, as on HTTP/1.1', async () => {
  const server = await startRawH2cServer((socket, stream) => {
    const head = headerBlock([
      [':status', '200'],
      ['x-big', 'v'.repeat(8 * 1024)],
    ])
    socket.write(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, stream, head))
  })
  await using client = new Client({
    http2PriorKnowledge: true,
    maxHeaderSize: 4096,
    retry: { maxRetries: 0 },
    timeout: { read: 10_000 },
  })

  const error = await failureOf(client.get(`${server.url}/`))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_HEADERS_TOO_LARGE')
})
