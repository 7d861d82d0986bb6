import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem } from './helpers/certificates.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('httpsOnly refuses an http: URL without connecting', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ httpsOnly: true })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(HyperHttpError)
  expect(server.connections.total).toBe(0)
})

it('httpsOnly refuses a redirect from https: to http:', async () => {
  const plain = await startRecordingServer()
  const secure = await startSecureServer((_req, res) => {
    res.statusCode = 302
    res.setHeader('location', `${plain.url}/downgraded`)
    res.end()
  })
  await using client = new Client({ httpsOnly: true, tls: { ca: caPem() } })
  expect(await rejectionOf(client.get(secure.url))).toBeInstanceOf(HyperHttpError)
  expect(plain.requests).toHaveLength(0)
})

it('httpsOnly still allows https: requests', async () => {
  const secure = await startSecureServer((_req, res) => res.end('secure'))
  await using client = new Client({ httpsOnly: true, tls: { ca: caPem() } })
  expect(await (await client.get(secure.url)).text()).toBe('secure')
})
