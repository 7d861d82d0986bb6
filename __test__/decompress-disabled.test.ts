import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { encode } from './helpers/compression.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const original = Buffer.from('raw bytes please '.repeat(1_000))
const compressed = encode('gzip', original)

async function startGzipServer() {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', 'gzip')
    res.end(compressed)
  })
}

it('decompress: false on the client returns the raw encoded bytes', async () => {
  const server = await startGzipServer()
  await using client = new Client({ decompress: false })
  const res = await client.get(server.url)
  expect(res.headers.get('content-encoding')).toBe('gzip')
  expect(Buffer.from(await res.bytes()).equals(compressed)).toBe(true)
})

it('decompress: false on one request returns raw bytes while the client still decodes others', async () => {
  const server = await startGzipServer()
  await using client = new Client()
  const raw = await client.get(server.url, { decompress: false })
  expect(Buffer.from(await raw.bytes()).equals(compressed)).toBe(true)
  const decoded = await client.get(server.url)
  expect(Buffer.from(await decoded.bytes()).equals(original)).toBe(true)
})
