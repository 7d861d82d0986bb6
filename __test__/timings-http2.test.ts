import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('timings name the protocol: h2 after ALPN, and the second stream reuses the session', async () => {
  const server = await startSecureServer((req, res) => res.end(req.httpVersion))
  await using client = new Client({ tls: { ca: caPem() } })
  const first = await client.get(server.url)
  expect(await first.text()).toBe('2.0')
  const second = await client.get(server.url)
  expect(await second.text()).toBe('2.0')
  expect(first.timings?.protocol).toBe('h2')
  expect(first.timings?.tls).toBeTypeOf('number')
  expect(first.timings?.reused).toBe(false)
  expect(second.timings?.protocol).toBe('h2')
  expect(second.timings?.reused).toBe(true)
  expect(second.timings?.tls).toBeUndefined()
})
