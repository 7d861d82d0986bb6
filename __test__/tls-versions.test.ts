import type { TLSSocket } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { Client, InvalidArgumentError, TlsError, type TlsVersion } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

/** A node:https server that speaks only `version` and reports what each request used. */
async function serverLimitedTo(version: TlsVersion) {
  const protocols: Array<string | null> = []
  const server = await startHttpsServer(
    (req, res) => {
      protocols.push((req.socket as TLSSocket).getProtocol())
      res.end('ok')
    },
    { tls: { minVersion: version, maxVersion: version } },
  )
  return { ...server, protocols }
}

async function connects(
  server: { url: string },
  tls: { minVersion?: TlsVersion; maxVersion?: TlsVersion },
) {
  await using client = new Client({ tls: { ca: caPem(), ...tls } })
  return (await client.get(server.url)).status
}

async function refused(
  server: { url: string },
  tls: { minVersion?: TlsVersion; maxVersion?: TlsVersion },
) {
  await using client = new Client({ tls: { ca: caPem(), ...tls } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(TlsError)
  return (error as TlsError).code
}

describe('tls.minVersion and tls.maxVersion bound the negotiated protocol', () => {
  it('by default both a TLS 1.2-only and a TLS 1.3-only server are reached', async () => {
    const old = await serverLimitedTo('TLSv1.2')
    const current = await serverLimitedTo('TLSv1.3')
    expect(await connects(old, {})).toBe(200)
    expect(await connects(current, {})).toBe(200)
    expect(old.protocols).toEqual(['TLSv1.2'])
    expect(current.protocols).toEqual(['TLSv1.3'])
  })

  it('maxVersion TLSv1.2 reaches a TLS 1.2 server and fails against a TLS 1.3-only one', async () => {
    const old = await serverLimitedTo('TLSv1.2')
    const current = await serverLimitedTo('TLSv1.3')
    expect(await connects(old, { maxVersion: 'TLSv1.2' })).toBe(200)
    expect(await refused(current, { maxVersion: 'TLSv1.2' })).toMatch(/^ERR_TLS/)
    expect(current.protocols).toEqual([])
  })

  it('minVersion TLSv1.3 reaches a TLS 1.3 server and fails against a TLS 1.2-only one', async () => {
    const old = await serverLimitedTo('TLSv1.2')
    const current = await serverLimitedTo('TLSv1.3')
    expect(await connects(current, { minVersion: 'TLSv1.3' })).toBe(200)
    expect(await refused(old, { minVersion: 'TLSv1.3' })).toMatch(/^ERR_TLS/)
    expect(old.protocols).toEqual([])
  })

  it('unknown versions and an empty range are refused at construction', () => {
    expect(() => new Client({ tls: { minVersion: 'TLSv1.1' as TlsVersion } })).toThrow(
      /tls\.minVersion must be 'TLSv1\.2' or 'TLSv1\.3'/,
    )
    expect(() => new Client({ tls: { maxVersion: 'tls1.3' as TlsVersion } })).toThrow(
      InvalidArgumentError,
    )
    expect(() => new Client({ tls: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' } })).toThrow(
      /tls\.minVersion TLSv1\.3 is higher than tls\.maxVersion TLSv1\.2/,
    )
  })
})
