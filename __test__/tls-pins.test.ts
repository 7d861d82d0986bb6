import { afterEach, describe, expect, it } from 'vitest'
import { Client, InvalidArgumentError, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem, serverIdentity, spkiPin } from './helpers/certificates.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

async function pinnedServer() {
  let requests = 0
  const server = await startHttpsServer((_req, res) => {
    requests += 1
    res.end('pinned')
  })
  return { ...server, requests: () => requests }
}

const leafPin = () => spkiPin(serverIdentity('localhost').cert)
const caPin = () => spkiPin(caPem())
const otherPin = () => spkiPin(serverIdentity('selfSigned').cert)

describe('tls.pins requires a pinned public key in the verified chain', () => {
  it('the pin of the leaf is accepted', async () => {
    const server = await pinnedServer()
    await using client = new Client({ tls: { ca: caPem(), pins: [leafPin()] } })
    expect(await (await client.get(server.url)).text()).toBe('pinned')
  })

  it('the pin of the CA the chain verifies to is accepted', async () => {
    const server = await pinnedServer()
    await using client = new Client({ tls: { ca: caPem(), pins: [otherPin(), caPin()] } })
    expect((await client.get(server.url)).status).toBe(200)
  })

  it('a chain matching no pin fails with ERR_TLS_PIN_MISMATCH before any request', async () => {
    const server = await pinnedServer()
    await using client = new Client({ tls: { ca: caPem(), pins: [otherPin()] } })
    const error = await rejectionOf(client.get(server.url))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe('ERR_TLS_PIN_MISMATCH')
    expect((error as TlsError).message).toMatch(/tls\.pins/)
    expect(server.requests()).toBe(0)
  })

  it('a pin does not replace verification: a pinned leaf from an untrusted CA fails', async () => {
    const server = await pinnedServer()
    await using client = new Client({ tls: { pins: [leafPin()] } })
    const error = await rejectionOf(client.get(server.url))
    expect((error as TlsError).code).toBe('ERR_TLS_CERT_UNTRUSTED')
  })

  it.each([
    ['not an array', 'abc'],
    ['empty', []],
    ['not base64 of 32 bytes', ['c2hvcnQ=']],
    ['hex instead of base64', ['ab'.repeat(32)]],
  ])('pins %s are refused', (_case, pins) => {
    expect(() => new Client({ tls: { pins: pins as string[] } })).toThrow(InvalidArgumentError)
    expect(() => new Client({ tls: { pins: pins as string[] } })).toThrow(/tls\.pins/)
  })
})
