import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'

const servers: http2.Http2Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

// The client's HTTP/2 flow-control windows bound the response bytes a server may send ahead
// of the reader: 256 KiB per stream (small enough that a server interleaves concurrent
// streams fairly) and 8 MiB per connection.
it('advertises a 256 KiB stream window and an 8 MiB connection window', async () => {
  const seen: { stream: number; connection: number }[] = []
  const server = http2.createServer()
  servers.push(server)
  server.on('stream', (stream) => {
    const session = stream.session
    if (session) {
      seen.push({
        stream: session.remoteSettings.initialWindowSize ?? 0,
        connection: session.state.remoteWindowSize ?? 0,
      })
    }
    stream.respond({ ':status': 200 })
    stream.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await using client = new Client({ http2PriorKnowledge: true })
  expect(await (await client.get(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
  expect(seen).toEqual([{ stream: 256 * 1024, connection: 8 * 1024 * 1024 }])
})
