import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { type Coding, encodeAll } from './helpers/compression.js'
import { failureOf } from './helpers/errors.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const original = Buffer.from('stacked '.repeat(2_000))

async function startStackedServer(codings: Coding[]) {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', codings.join(', '))
    res.end(encodeAll(codings, original))
  })
}

it('decodes two stacked codings in reverse order of application', async () => {
  const server = await startStackedServer(['gzip', 'br'])
  await using client = new Client()
  const res = await client.get(server.url)
  expect(Buffer.from(await res.bytes()).equals(original)).toBe(true)
})

it('decodes five stacked codings (the most allowed)', async () => {
  const server = await startStackedServer(['deflate', 'gzip', 'zstd', 'br', 'gzip'])
  await using client = new Client()
  const res = await client.get(server.url)
  expect(Buffer.from(await res.bytes()).equals(original)).toBe(true)
})

it('refuses six stacked codings with ProtocolError ERR_DECODE', async () => {
  const server = await startStackedServer(['gzip', 'gzip', 'gzip', 'gzip', 'gzip', 'gzip'])
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})

it('accepts stacked codings given as repeated Content-Encoding headers', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', ['deflate', 'zstd'])
    res.end(encodeAll(['deflate', 'zstd'], original))
  })
  await using client = new Client()
  const res = await client.get(server.url)
  expect(Buffer.from(await res.bytes()).equals(original)).toBe(true)
})
