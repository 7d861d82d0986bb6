import type { TLSSocket } from 'node:tls'
import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem, certificatePaths, readPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

async function startMutualTlsServer() {
  return startSecureServer(
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      res.end(`${req.httpVersion} ${peer.subject.CN}`)
    },
    { requireClientCertificate: true },
  )
}

function clientIdentity() {
  const { client } = certificatePaths()
  return { cert: readPem(client.cert), key: readPem(client.key) }
}

it('presents tls.cert/tls.key to a server that requires a client certificate', async () => {
  const server = await startMutualTlsServer()
  await using client = new Client({ tls: { ca: caPem(), ...clientIdentity() } })
  expect(await (await client.get(server.url)).text()).toBe('2.0 hyperhttp-test-client')
})

it('presents the client certificate over HTTP/1.1 as well', async () => {
  const server = await startMutualTlsServer()
  await using client = new Client({ http2: false, tls: { ca: caPem(), ...clientIdentity() } })
  expect(await (await client.get(server.url)).text()).toBe('1.1 hyperhttp-test-client')
})

it('accepts the identity as Buffers', async () => {
  const server = await startMutualTlsServer()
  const { cert, key } = clientIdentity()
  await using client = new Client({
    tls: { ca: caPem(), cert: Buffer.from(cert), key: Buffer.from(key) },
  })
  expect(await (await client.get(server.url)).text()).toBe('2.0 hyperhttp-test-client')
})

it('without a client certificate the server refuses and the request fails with a typed error', async () => {
  const server = await startMutualTlsServer()
  await using client = new Client({ tls: { ca: caPem() }, timeout: { read: 10_000 } })
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(HyperHttpError)
})
