import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { failureOf } from './helpers/errors.js'
import {
  closeRawH2cServers,
  FLAG,
  FRAME,
  frame,
  headerBlock,
  SETTING,
  startRawH2cServer,
} from './helpers/h2-frames.js'
import { closeAll, startH2cServer } from './helpers/servers.js'

afterEach(() => Promise.all([closeAll(), closeRawH2cServers()]))

it('an HTTP/2 server that allows zero concurrent streams makes each request settle with a typed error, never hang', async () => {
  let streamsOpened = 0
  // Answers every stream it sees at once, so a request that reached the wire would succeed.
  const zero = await startRawH2cServer(
    (socket, stream) => {
      streamsOpened += 1
      const ok = headerBlock([[':status', '200']])
      socket.write(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, stream, ok))
    },
    [[SETTING.MAX_CONCURRENT_STREAMS, 0]],
  )
  const healthy = await startH2cServer((_req, res) => res.end('healthy'))
  await using client = new Client({
    http2PriorKnowledge: true,
    retry: { maxRetries: 0 },
    timeout: { read: 1_000, total: 30_000 },
  })
  // The first request may leave before the server's SETTINGS arrive (the protocol allows it);
  // once it has settled, the client has read them.
  await client.get(`${zero.url}/warm-up`).then(
    (res) => res.arrayBuffer(),
    () => undefined,
  )
  streamsOpened = 0

  const started = Date.now()
  const errors = await Promise.all([1, 2, 3].map((n) => failureOf(client.get(`${zero.url}/${n}`))))
  const elapsed = Date.now() - started

  for (const error of errors) {
    expect(error).toBeInstanceOf(HyperHttpError)
    expect((error as HyperHttpError).code).toBe('ERR_TIMEOUT')
  }
  // Settled by the 1 s read (head) timeout, not by the 30 s total one.
  expect(elapsed).toBeLessThan(20_000)
  // No stream beyond the server's limit was opened on the wire.
  expect(streamsOpened).toBe(0)
  expect(zero.connections()).toBe(1)
  expect(await (await client.get(healthy.url)).text()).toBe('healthy')
})
