import { describe, expect, it } from 'vitest'
import { Client, TlsError } from '../dist/esm/index.js'
import { caPem, serverIdentity } from './helpers/certificates.js'
import { logLine, squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { startHttpServer, startSecureServer } from './helpers/servers.js'

// An https: proxy: TLS to squid itself (its https_port, with the test CA's localhost
// certificate), then forwarding or a CONNECT tunnel inside that TLS.
describe.skipIf(squidMissing() !== null)('an https: proxy', () => {
  const squid = useProxy(() => startSquid({ tls: serverIdentity('localhost') }))

  it('carries forwarded http: requests and HTTP/2 to https: origins (TLS in TLS)', async () => {
    const plain = await startHttpServer((req, res) => res.end(req.headers.via))
    const secure = await startSecureServer((req, res) => res.end(req.httpVersion))
    await using client = new Client({ proxy: squid().httpsUrl, tls: { ca: caPem() } })
    expect(await (await client.get(plain.url)).text()).toMatch(/squid/)
    expect(await (await client.get(secure.url)).text()).toBe('2.0')
    await logLine(squid(), new RegExp(`GET ${plain.url}/`))
  })

  it('verifies the proxy certificate like an origin one', async () => {
    const secure = await startSecureServer((_req, res) => res.end())
    await using client = new Client({ proxy: squid().httpsUrl, retry: false })
    const error = await client.get(secure.url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_UNTRUSTED')
    expect((error as TlsError).message).toContain(`through proxy ${squid().httpsUrl}`)
  })
})
