import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

it('a new https connection has a tls mark between connect and sent', async () => {
  const server = await startHttpsServer((_req, res) => res.end('secure'))
  await using client = new Client({ tls: { ca: caPem() } })
  const res = await client.get(server.url)
  expect(await res.text()).toBe('secure')
  const { connect, tls, sent, firstByte, protocol, reused } = res.timings ?? {}
  expect(tls).toBeTypeOf('number')
  expect(connect as number).toBeLessThanOrEqual(tls as number)
  expect(tls as number).toBeLessThanOrEqual(sent as number)
  expect(sent as number).toBeLessThanOrEqual(firstByte as number)
  expect(protocol).toBe('h1')
  expect(reused).toBe(false)
})
