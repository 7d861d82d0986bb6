import { afterEach, expect, it } from 'vitest'
import { Client, type LookupFunction } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('the DNS cache resolves a name once for several connections; dnsCache: false every time', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.setHeader('connection', 'close')
    res.end('ok')
  })
  for (const [dnsCache, expected] of [
    [undefined, 1],
    [false, 3],
  ] as const) {
    let calls = 0
    const lookup: LookupFunction = (_hostname, _options, callback) => {
      calls++
      callback(null, '127.0.0.1', 4)
    }
    await using client = new Client({ lookup, ...(dnsCache === false ? { dnsCache } : {}) })
    for (let i = 0; i < 3; i++) {
      expect(await (await client.get(`http://cached.test:${server.port}/`)).text()).toBe('ok')
    }
    expect(calls).toBe(expected)
  }
  expect(server.connections.total).toBe(6)
})
