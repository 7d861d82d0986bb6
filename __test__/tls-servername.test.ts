import type { TLSSocket } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { Client, InvalidArgumentError, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

async function exampleTestServer() {
  const sniNames: Array<string | false | null> = []
  const server = await startHttpsServer(
    (req, res) => {
      sniNames.push((req.socket as TLSSocket).servername)
      res.end('example.test')
    },
    { identity: 'exampleTest' },
  )
  return { ...server, sniNames }
}

describe('tls.servername replaces the URL host for SNI and verification', () => {
  it('connects to 127.0.0.1 with a certificate for example.test and sends it as SNI', async () => {
    const server = await exampleTestServer()
    await using client = new Client({ tls: { ca: caPem(), servername: 'example.test' } })
    const response = await client.get(server.url)
    expect(await response.text()).toBe('example.test')
    expect(server.sniNames).toEqual(['example.test'])
  })

  it('without it the certificate does not match 127.0.0.1: ERR_TLS_CERT_HOSTNAME', async () => {
    const server = await exampleTestServer()
    await using client = new Client({ tls: { ca: caPem() } })
    const error = await rejectionOf(client.get(server.url))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_HOSTNAME')
    expect(server.sniNames).toEqual([])
  })

  it('a servername the certificate does not name fails verification', async () => {
    const server = await exampleTestServer()
    await using client = new Client({ tls: { ca: caPem(), servername: 'other.test' } })
    const error = await rejectionOf(client.get(server.url))
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_HOSTNAME')
  })

  it.each([42, '', 'exa mple.test', 'a/b'])('servername %j is refused', (servername) => {
    expect(() => new Client({ tls: { servername: servername as string } })).toThrow(
      InvalidArgumentError,
    )
    expect(() => new Client({ tls: { servername: servername as string } })).toThrow(
      /tls\.servername/,
    )
  })
})
