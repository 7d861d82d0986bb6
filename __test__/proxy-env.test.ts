import { describe, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { restoreEnvAfterEach } from './helpers/env.js'
import { squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { closedPort, startHttpServer } from './helpers/servers.js'

const NAMES = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'no_proxy',
  'NO_PROXY',
]

// proxy: 'env' reads the proxy variables when the client is created.
describe.skipIf(squidMissing() !== null)("proxy: 'env'", () => {
  const squid = useProxy(() => startSquid())
  restoreEnvAfterEach(NAMES)

  async function via(client: Client, url: string): Promise<string | null> {
    const res = await client.get(url)
    await res.text()
    return res.headers.get('via')
  }

  it('uses http_proxy over HTTP_PROXY and sends NO_PROXY matches direct', async () => {
    const origin = await startHttpServer((_req, res) => res.end())
    const direct = await startHttpServer((_req, res) => res.end())
    for (const name of NAMES) delete process.env[name]
    process.env.http_proxy = squid().url.replace('http://', '')
    process.env.HTTP_PROXY = `http://127.0.0.1:${await closedPort()}`
    process.env.NO_PROXY = `example.test, 127.0.0.1:${direct.port}, 10.0.0.0/8`
    await using client = new Client({ proxy: 'env', retry: false })
    expect(await via(client, origin.url)).toMatch(/squid/)
    expect(await via(client, direct.url)).toBeNull()
  })

  it('ALL_PROXY serves targets without a scheme-specific variable; * bypasses everything', async () => {
    const origin = await startHttpServer((_req, res) => res.end())
    for (const name of NAMES) delete process.env[name]
    process.env.ALL_PROXY = squid().url
    await using proxied = new Client({ proxy: 'env' })
    expect(await via(proxied, origin.url)).toMatch(/squid/)
    process.env.no_proxy = '*'
    await using bypassing = new Client({ proxy: 'env' })
    expect(await via(bypassing, origin.url)).toBeNull()
  })
})
