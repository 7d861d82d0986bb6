import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { type Coding, encode } from './helpers/compression.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

// Text that compresses, followed by random bytes that do not: both must come back exactly.
const original = Buffer.concat([Buffer.from('hyperhttp '.repeat(5_000)), randomBytes(64 * 1024)])

async function startEncodingServer(coding: Coding) {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', coding)
    res.setHeader('content-type', 'application/octet-stream')
    res.end(encode(coding, original))
  })
}

describe('decodes every supported content coding', () => {
  it.each(['gzip', 'deflate', 'br', 'zstd'] as const)('%s', async (coding) => {
    const server = await startEncodingServer(coding)
    await using client = new Client()
    const res = await client.get(server.url)
    expect(Buffer.from(await res.bytes()).equals(original)).toBe(true)
  })
})

it('advertises gzip, deflate, br and zstd in Accept-Encoding', async () => {
  const server = await startEncodingServer('gzip')
  await (await fetch(server.url)).arrayBuffer()
  const offered = (server.requests[0]?.headers['accept-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim())
  expect(offered).toEqual(expect.arrayContaining(['gzip', 'deflate', 'br', 'zstd']))
})

it('keeps an Accept-Encoding the caller set', async () => {
  const server = await startEncodingServer('gzip')
  await using client = new Client()
  await (await client.get(server.url, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer()
  expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip')
})

it('decodes a streamed (chunked) compressed body read through res.body', async () => {
  const compressed = encode('br', original)
  const server = await startRecordingServer(async (_req, res) => {
    res.setHeader('content-encoding', 'br')
    for (let offset = 0; offset < compressed.length; offset += 1000) {
      res.write(compressed.subarray(offset, offset + 1000))
    }
    res.end()
  })
  const res = await fetch(server.url)
  const chunks: Uint8Array[] = []
  for await (const chunk of res.body as ReadableStream<Uint8Array>) chunks.push(chunk)
  expect(Buffer.concat(chunks).equals(original)).toBe(true)
})

it('treats the coding name case-insensitively', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', 'GZIP')
    res.end(encode('gzip', original))
  })
  const res = await fetch(server.url)
  expect(Buffer.from(await res.arrayBuffer()).equals(original)).toBe(true)
})
