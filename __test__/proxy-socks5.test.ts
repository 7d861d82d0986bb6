import { describe, expect, it } from 'vitest'
import { Client, ProxyError } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { danteMissing, logLine, startDante, useProxy } from './helpers/proxies.js'
import { startHttpServer, startSecureServer } from './helpers/servers.js'

// A real SOCKS5 server (dante) without authentication; its rules allow loopback targets only.
describe.skipIf(danteMissing() !== null)('SOCKS5 proxies', () => {
  const dante = useProxy(() => startDante())

  it('socks5: carries http: and https: (HTTP/2) connections through the proxy', async () => {
    const plain = await startHttpServer((_req, res) => res.end('plain'))
    const secure = await startSecureServer((req, res) => res.end(req.httpVersion))
    await using client = new Client({ proxy: dante().url, tls: { ca: caPem() } })
    expect(await (await client.get(plain.url)).text()).toBe('plain')
    expect(await (await client.get(secure.url)).text()).toBe('2.0')
    await logLine(dante(), new RegExp(`tcp/connect .*127\\.0\\.0\\.1\\.${plain.port}\\b`))
    await logLine(dante(), new RegExp(`tcp/connect .*127\\.0\\.0\\.1\\.${secure.port}\\b`))
  })

  it('socks5h: the proxy resolves the target name', async () => {
    const origin = await startHttpServer((req, res) => res.end(req.headers.host))
    await using client = new Client({ proxy: dante().url.replace('socks5:', 'socks5h:') })
    const res = await client.get(`http://localhost:${origin.port}/`)
    expect(await res.text()).toBe(`localhost:${origin.port}`)
    await logLine(dante(), new RegExp(`tcp/connect .*\\.${origin.port}\\b`))
  })

  it('a target the proxy refuses is a ProxyError with the SOCKS5 reply code', async () => {
    // Dante's rules pass loopback targets only; 192.0.2.1 (TEST-NET-1) is blocked, unsent.
    await using client = new Client({ proxy: dante().url, retry: false })
    const error = (await client.get('http://192.0.2.1/').catch((e: unknown) => e)) as ProxyError
    expect(error).toBeInstanceOf(ProxyError)
    expect(error.proxyStatus).toBe(2)
    expect(error.message).toContain('connection not allowed by ruleset')
  })
})
