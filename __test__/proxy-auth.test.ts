import { describe, expect, it } from 'vitest'
import { Client, ProxyError } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { logLine, squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { startHttpServer, startSecureServer } from './helpers/servers.js'

const user = 'ann'
const password = 'p@ss w0rd'
const encoded = encodeURIComponent(password)

// Squid with basic authentication (basic_ncsa_auth, an htpasswd file generated here).
describe.skipIf(squidMissing() !== null)('proxy authentication', () => {
  const squid = useProxy(() => startSquid({ auth: { user, password } }))
  const withCredentials = (pass: string) =>
    squid().url.replace('http://', `http://${user}:${pass}@`)

  it('credentials in the proxy URL reach the proxy and never the origin', async () => {
    const seen: Array<string | undefined> = []
    const plain = await startHttpServer((req, res) => {
      seen.push(req.headers['proxy-authorization'] ?? req.headers.authorization)
      res.end('plain')
    })
    const secure = await startSecureServer((req, res) => {
      seen.push(req.headers['proxy-authorization'] ?? req.headers.authorization)
      res.end('secure')
    })
    await using client = new Client({ proxy: withCredentials(encoded), tls: { ca: caPem() } })
    expect(await (await client.get(plain.url)).text()).toBe('plain')
    expect(await (await client.get(secure.url)).text()).toBe('secure')
    expect(seen).toEqual([undefined, undefined])
    // Squid logs the authenticated user with the forwarded request.
    await logLine(squid(), new RegExp(`TCP_MISS/200 \\d+ GET ${plain.url}/ ${user} `))
  })

  it('refused credentials are a ProxyError with the status, never showing the password', async () => {
    const plain = await startHttpServer((_req, res) => res.end('unreachable'))
    const secure = await startSecureServer((_req, res) => res.end('unreachable'))
    await using client = new Client({
      proxy: withCredentials('hunter2-wrong'),
      tls: { ca: caPem() },
      retry: false,
      circuitBreaker: false,
    })
    for (const url of [secure.url, plain.url]) {
      const error = await client.get(url).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ProxyError)
      const proxyError = error as ProxyError
      expect(proxyError.code).toBe('ERR_PROXY')
      expect(proxyError.proxyStatus).toBe(407)
      expect(proxyError.message).toContain(`${user}:***@127.0.0.1:${squid().port}`)
      expect(proxyError.message).not.toContain('hunter2')
      expect(String(proxyError.stack)).not.toContain('hunter2')
      expect(proxyError.url).toBe(`${url}/`)
    }
  })

  it('a proxy that wants credentials and got none says so', async () => {
    const secure = await startSecureServer((_req, res) => res.end('unreachable'))
    await using client = new Client({ proxy: squid().url, tls: { ca: caPem() }, retry: false })
    const error = (await client.get(secure.url).catch((e: unknown) => e)) as ProxyError
    expect(error).toBeInstanceOf(ProxyError)
    expect(error.proxyStatus).toBe(407)
    expect(error.message).toMatch(/requires credentials/)
  })
})
