import { describe, expect, it } from 'vitest'
import { Client, ConnectError } from '../dist/esm/index.js'
import { danteMissing, startDante, useProxy } from './helpers/proxies.js'
import { startHttpServer } from './helpers/servers.js'

// socks5: resolves target names on this side, so the client's lookup hook and address filter
// apply to them exactly as to a direct connection (an SSRF guard cannot be bypassed through
// the proxy).
describe.skipIf(danteMissing() !== null)('socks5: with lookup and addressFilter', () => {
  const dante = useProxy(() => startDante())

  it('asks the lookup hook for the target name and connects to its answer', async () => {
    const origin = await startHttpServer((_req, res) => res.end('through'))
    const asked: string[] = []
    await using client = new Client({
      proxy: dante().url,
      lookup: (hostname, _options, callback) => {
        asked.push(hostname)
        callback(null, [{ address: '127.0.0.1', family: 4 }])
      },
    })
    const res = await client.get(`http://origin.test:${origin.port}/`)
    expect(await res.text()).toBe('through')
    expect(asked).toContain('origin.test')
  })

  it('an address filter refusal stops the request before the proxy is asked', async () => {
    let served = 0
    const origin = await startHttpServer((_req, res) => {
      served++
      res.end('unreachable')
    })
    await using client = new Client({
      proxy: dante().url,
      retry: false,
      lookup: (_hostname, _options, callback) =>
        callback(null, [{ address: '127.0.0.1', family: 4 }]),
      // The proxy itself is on 127.0.0.1 too: refuse by target name, not by address.
      addressFilter: (_address, _family, hostname) => hostname !== 'blocked.test',
    })
    const error = await client.get(`http://blocked.test:${origin.port}/`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectError)
    expect((error as ConnectError).code).toBe('ERR_ADDRESS_BLOCKED')
    expect(served).toBe(0)
  })
})
