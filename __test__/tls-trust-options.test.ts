import { readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { Client, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem, certificatePaths } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('tls.ca as a PEM string makes the test CA trusted', async () => {
  const server = await startSecureServer((_req, res) => res.end('trusted'))
  await using client = new Client({ tls: { ca: caPem() } })
  expect(await (await client.get(server.url)).text()).toBe('trusted')
})

it('tls.ca accepts a Buffer and an array', async () => {
  const server = await startSecureServer((_req, res) => res.end('trusted'))
  const buffer = readFileSync(certificatePaths().ca)
  await using fromBuffer = new Client({ tls: { ca: buffer } })
  await using fromArray = new Client({ tls: { ca: [buffer.toString()] } })
  expect(await (await fromBuffer.get(server.url)).text()).toBe('trusted')
  expect(await (await fromArray.get(server.url)).text()).toBe('trusted')
})

it('tls.ca also lets a client reach localhost by name', async () => {
  const server = await startSecureServer((_req, res) => res.end('by name'))
  await using client = new Client({ tls: { ca: caPem() } })
  expect(await (await client.get(`https://localhost:${server.port}/`)).text()).toBe('by name')
})

it('rejectUnauthorized: false accepts certificates that fail verification', async () => {
  for (const identity of ['selfSigned', 'expired', 'wrongHost'] as const) {
    const server = await startSecureServer((_req, res) => res.end(identity), { identity })
    await using client = new Client({ tls: { rejectUnauthorized: false } })
    expect(await (await client.get(server.url)).text()).toBe(identity)
  }
})

it('trust is per client: another client still refuses', async () => {
  const server = await startSecureServer((_req, res) => res.end('ok'))
  await using trusting = new Client({ tls: { ca: caPem() } })
  await using strict = new Client()
  expect((await trusting.get(server.url)).status).toBe(200)
  expect(await rejectionOf(strict.get(server.url))).toBeInstanceOf(TlsError)
})
