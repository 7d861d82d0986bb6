import { describe, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { logLine, squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { startHttpServer } from './helpers/servers.js'

// An http: target through an HTTP proxy (squid): the request is forwarded in absolute form.
describe.skipIf(squidMissing() !== null)('http: targets through an HTTP proxy', () => {
  const squid = useProxy(() => startSquid())

  it('are forwarded by the proxy, which the origin sees in Via', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = []
    const origin = await startHttpServer((req, res) => {
      seen.push({ url: req.url, ...req.headers })
      res.end('through squid')
    })
    await using client = new Client({
      proxy: { url: squid().url, headers: { 'x-proxy-tag': 'team-a' } },
    })
    const res = await client.get(`${origin.url}/path?q=1`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('through squid')
    expect(res.headers.get('via')).toMatch(/squid/)
    expect(seen[0]?.url).toBe('/path?q=1')
    expect(seen[0]?.via).toMatch(/squid/)
    expect(seen[0]?.['proxy-authorization']).toBeUndefined()
    // The proxy's own log names the absolute URL it forwarded (squid strips the query).
    await logLine(squid(), new RegExp(`TCP_MISS/200 \\d+ GET ${origin.url}/path\\? `))
  })

  it('go direct with proxy: false', async () => {
    const seen: Array<string | undefined> = []
    const origin = await startHttpServer((req, res) => {
      seen.push(req.headers.via)
      res.end()
    })
    await using client = new Client({ proxy: false })
    await (await client.get(origin.url)).text()
    expect(seen).toEqual([undefined])
  })
})
