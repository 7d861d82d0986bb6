import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startH2cServer } from './helpers/servers.js'

afterEach(closeAll)

// The client's HTTP/2 flow-control windows bound the response bytes a server may send ahead
// of the reader: 384 KiB per stream (small enough that a server interleaves concurrent
// streams fairly) and 16 MiB per connection.
it('advertises a 384 KiB stream window and a 16 MiB connection window', async () => {
  const seen: { stream: number; connection: number }[] = []
  const server = await startH2cServer((req, res) => {
    const session = req.stream.session
    if (session) {
      seen.push({
        stream: session.remoteSettings.initialWindowSize ?? 0,
        connection: session.state.remoteWindowSize ?? 0,
      })
    }
    res.end('ok')
  })
  await using client = new Client({ http2PriorKnowledge: true })
  expect(await (await client.get(`${server.url}/`)).text()).toBe('ok')
  expect(seen).toEqual([{ stream: 384 * 1024, connection: 16 * 1024 * 1024 }])
})
