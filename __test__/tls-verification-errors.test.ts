import { afterEach, describe, expect, it } from 'vitest'
import { Client, fetch, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem, type ServerIdentity } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

async function serverWith(identity: ServerIdentity) {
  let requests = 0
  const server = await startSecureServer(
    (_req, res) => {
      requests += 1
      res.end('should not be reached')
    },
    { identity },
  )
  return { ...server, requests: () => requests }
}

async function tlsFailure(client: Client, url: string): Promise<TlsError> {
  const error = await rejectionOf(client.get(url))
  expect(error).toBeInstanceOf(TlsError)
  return error as TlsError
}

describe('certificate verification is on by default', () => {
  it('a self-signed certificate: ERR_TLS_CERT_SELF_SIGNED', async () => {
    const server = await serverWith('selfSigned')
    await using client = new Client()
    const error = await tlsFailure(client, server.url)
    expect(error.code).toBe('ERR_TLS_CERT_SELF_SIGNED')
    expect(server.requests()).toBe(0)
  })

  it('a certificate from an unknown CA: ERR_TLS_CERT_UNTRUSTED', async () => {
    const server = await serverWith('localhost')
    await using client = new Client()
    const error = await tlsFailure(client, server.url)
    expect(error.code).toBe('ERR_TLS_CERT_UNTRUSTED')
    expect(server.requests()).toBe(0)
  })

  it('an expired certificate from a trusted CA: ERR_TLS_CERT_EXPIRED', async () => {
    const server = await serverWith('expired')
    await using client = new Client({ tls: { ca: caPem() } })
    const error = await tlsFailure(client, server.url)
    expect(error.code).toBe('ERR_TLS_CERT_EXPIRED')
    expect(server.requests()).toBe(0)
  })

  it('a certificate for another host from a trusted CA: ERR_TLS_CERT_HOSTNAME', async () => {
    const server = await serverWith('wrongHost')
    await using client = new Client({ tls: { ca: caPem() } })
    const error = await tlsFailure(client, server.url)
    expect(error.code).toBe('ERR_TLS_CERT_HOSTNAME')
    expect(server.requests()).toBe(0)
  })

  it('the same failures reach fetch as TypeError with the TlsError as cause', async () => {
    const server = await serverWith('selfSigned')
    const error = await rejectionOf(fetch(server.url))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toBe('fetch failed')
    expect((error as TypeError).cause).toBeInstanceOf(TlsError)
    expect(((error as TypeError).cause as TlsError).code).toBe('ERR_TLS_CERT_SELF_SIGNED')
  })

  it('verification failures hold over HTTP/1.1 too', async () => {
    const server = await serverWith('localhost')
    await using client = new Client({ http2: false })
    expect((await tlsFailure(client, server.url)).code).toBe('ERR_TLS_CERT_UNTRUSTED')
  })
})
