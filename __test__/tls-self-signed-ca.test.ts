import { afterEach, describe, expect, it } from 'vitest'
import { Client, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { type ServerIdentity, serverIdentity } from './helpers/certificates.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

async function serverWith(identity: ServerIdentity) {
  let requests = 0
  const server = await startHttpsServer(
    (_req, res) => {
      requests += 1
      res.end('trusted')
    },
    { identity },
  )
  return { ...server, requests: () => requests }
}

describe('a self-signed server certificate given in tls.ca is trusted', () => {
  it('a certificate marked as a CA (openssl req -x509 default) is accepted', async () => {
    const server = await serverWith('selfSignedCa')
    await using client = new Client({ tls: { ca: serverIdentity('selfSignedCa').cert } })
    const response = await client.get(server.url)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('trusted')
  })

  it('a certificate not marked as a CA is accepted', async () => {
    const server = await serverWith('selfSigned')
    await using client = new Client({ tls: { ca: serverIdentity('selfSigned').cert } })
    expect((await client.get(server.url)).status).toBe(200)
  })

  it('without tls.ca the same certificate fails with ERR_TLS_CERT_SELF_SIGNED', async () => {
    const server = await serverWith('selfSignedCa')
    await using client = new Client()
    const error = await rejectionOf(client.get(server.url))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_SELF_SIGNED')
    expect(server.requests()).toBe(0)
  })

  it('trusting one self-signed certificate does not trust another', async () => {
    const server = await serverWith('selfSignedCa')
    await using client = new Client({ tls: { ca: serverIdentity('selfSigned').cert } })
    const error = await rejectionOf(client.get(server.url))
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_SELF_SIGNED')
  })

  it('the trusted certificate must still name the host', async () => {
    const server = await serverWith('selfSignedCa')
    await using client = new Client({
      tls: { ca: serverIdentity('selfSignedCa').cert, servername: 'other.test' },
    })
    const error = await rejectionOf(client.get(server.url))
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_HOSTNAME')
    expect(server.requests()).toBe(0)
  })
})
