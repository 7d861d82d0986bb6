import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('http2: false speaks HTTP/1.1 over TLS even when the server offers h2', async () => {
  const server = await startSecureServer((req, res) => res.end(req.httpVersion), {
    allowHTTP1: true,
  })
  await using client = new Client({ http2: false, tls: { ca: caPem() } })
  expect(await (await client.get(`${server.url}/`)).text()).toBe('1.1')
  expect(await (await client.get(`${server.url}/again`)).text()).toBe('1.1')
  expect(server.sessions()).toBe(0)
  expect(server.connections.total).toBe(1)
})
