import { afterEach, expect, it } from 'vitest'
import { Client, ProtocolError } from '../dist/esm/index.js'
import { encode } from './helpers/compression.js'
import { failureOf } from './helpers/errors.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function serveEncoded(coding: string, body: Buffer) {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', coding)
    res.end(body)
  })
}

it('a body that is not gzip at all fails with ProtocolError ERR_DECODE', async () => {
  const server = await serveEncoded('gzip', Buffer.from('this is not gzip data at all'))
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})

it('a gzip stream corrupted in the middle fails with ERR_DECODE', async () => {
  const gzip = Buffer.from(encode('gzip', Buffer.from('corrupt me '.repeat(1_000))))
  gzip.fill(0xff, 10, gzip.length - 8)
  const server = await serveEncoded('gzip', gzip)
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})

it('a gzip body whose checksum does not match fails with ERR_DECODE', async () => {
  const gzip = Buffer.from(encode('gzip', Buffer.from('checksum '.repeat(1_000))))
  gzip.writeUInt32LE((gzip.readUInt32LE(gzip.length - 8) ^ 0xffffffff) >>> 0, gzip.length - 8)
  const server = await serveEncoded('gzip', gzip)
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})

it('a truncated br stream fails with ERR_DECODE', async () => {
  const br = encode('br', Buffer.from(Array.from({ length: 20_000 }, (_, i) => `${i}`).join(',')))
  const server = await serveEncoded('br', br.subarray(0, Math.floor(br.length / 2)))
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})

it('a zstd body without a zstd frame fails with ERR_DECODE', async () => {
  const server = await serveEncoded('zstd', Buffer.from('definitely not a zstd frame'))
  await using client = new Client()
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(ProtocolError)
  expect((error as ProtocolError).code).toBe('ERR_DECODE')
})
