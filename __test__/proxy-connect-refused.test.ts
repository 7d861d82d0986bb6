import { describe, expect, it } from 'vitest'
import { Client, ProxyError } from '../dist/esm/index.js'
import { squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { closedPort } from './helpers/servers.js'

// The proxy cannot reach the target: CONNECT fails with the proxy's status.
describe.skipIf(squidMissing() !== null)('a CONNECT the proxy cannot complete', () => {
  const squid = useProxy(() => startSquid())

  it('is a ProxyError carrying the status the proxy answered', async () => {
    const port = await closedPort()
    await using client = new Client({ proxy: squid().url, retry: false })
    const error = (await client
      .get(`https://127.0.0.1:${port}/`)
      .catch((e: unknown) => e)) as ProxyError
    expect(error).toBeInstanceOf(ProxyError)
    expect(error.code).toBe('ERR_PROXY')
    expect(error.proxyStatus).toBe(503)
    expect(error.message).toContain(`refused CONNECT 127.0.0.1:${port} with 503`)
  })

  it('an unreachable proxy is a ConnectError that names the proxy', async () => {
    const port = await closedPort()
    await using client = new Client({ proxy: `http://u:hunter2@127.0.0.1:${port}`, retry: false })
    const error = (await client.get('https://127.0.0.1:1/').catch((e: unknown) => e)) as Error & {
      code: string
    }
    expect(error.code).toBe('ERR_CONNECT')
    expect(error.message).toContain(`through proxy http://u:***@127.0.0.1:${port}`)
    expect(error.message).not.toContain('hunter2')
  })
})
