import { describe, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { logLine, squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { startSecureServer } from './helpers/servers.js'

// An https: target through an HTTP proxy (squid): a CONNECT tunnel, TLS and ALPN inside it.
describe.skipIf(squidMissing() !== null)('https: targets through a CONNECT tunnel', () => {
  const squid = useProxy(() => startSquid())

  it('speak HTTP/2 with the origin, all requests on one tunnel', async () => {
    const versions: string[] = []
    const origin = await startSecureServer((req, res) => {
      versions.push(req.httpVersion)
      res.end(`hello over ${req.httpVersion}`)
    })
    await using client = new Client({
      proxy: squid().url,
      tls: { ca: caPem() },
      limits: { keepAliveTimeout: 300 },
    })
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => (await client.get(`${origin.url}/${i}`)).text()),
    )
    expect(bodies).toEqual(Array(5).fill('hello over 2.0'))
    expect(versions).toEqual(Array(5).fill('2.0'))
    expect(origin.sessions()).toBe(1)
    // Squid logs a tunnel when it closes: the idle connection expires after 300 ms.
    const line = await logLine(squid(), /CONNECT/)
    expect(line).toContain(`CONNECT 127.0.0.1:${origin.port}`)
    expect(line).toContain('TCP_TUNNEL/200')
    expect(
      squid()
        .log()
        .match(/CONNECT/g),
    ).toHaveLength(1)
  })
})
