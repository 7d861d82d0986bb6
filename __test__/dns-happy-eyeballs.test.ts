import http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { type StalledListener, startStalledListener } from './helpers/stalled-listener.js'

let stalled: StalledListener | undefined
let v6: http.Server | undefined

afterEach(async () => {
  v6?.closeAllConnections()
  await new Promise<void>((resolve) => (v6 === undefined ? resolve() : v6.close(() => resolve())))
  await stalled?.close()
  stalled = v6 = undefined
})

it('Happy Eyeballs: an address that never answers is raced after 250 ms, not waited on for the connect timeout', async () => {
  // 127.0.0.1:port never completes a handshake (full backlog); [::1]:port answers.
  stalled = await startStalledListener()
  const server = http.createServer((_req, res) => res.end('v6'))
  v6 = server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '::1', port: stalled?.port, ipv6Only: true }, resolve)
  })
  await using client = new Client({
    lookup: (_hostname, _options, callback) =>
      callback(null, [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]),
    // Without Happy Eyeballs the IPv4 attempt would hold its share: 10 s of these 20 s.
    timeout: { connect: 20_000 },
    retry: false,
  })
  const started = performance.now()
  const res = await client.get(`http://dual.test:${stalled.port}/`)
  const elapsed = performance.now() - started
  expect(await res.text()).toBe('v6')
  expect(elapsed).toBeGreaterThanOrEqual(240)
  expect(elapsed).toBeLessThan(250 + 4_000)
})
