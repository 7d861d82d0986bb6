import { afterEach, expect, it } from 'vitest'
import { BodyLimitError, Client } from '../dist/esm/index.js'
import { encode } from './helpers/compression.js'
import { failureOf } from './helpers/errors.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const MiB = 1024 * 1024
// 32 MiB of zeros gzip to about 32 KiB: a small bomb.
const bomb = encode('gzip', Buffer.alloc(32 * MiB))

async function startBombServer() {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-encoding', 'gzip')
    res.end(bomb)
  })
}

it('stops at maxDecodedBodySize with BodyLimitError ERR_BODY_TOO_LARGE', async () => {
  const server = await startBombServer()
  await using client = new Client({ maxDecodedBodySize: MiB })
  const error = await failureOf(client.get(server.url))
  expect(error).toBeInstanceOf(BodyLimitError)
  expect((error as BodyLimitError).code).toBe('ERR_BODY_TOO_LARGE')
})

it('the limit also stops a body read as a stream', async () => {
  const server = await startBombServer()
  await using client = new Client({ maxDecodedBodySize: MiB })
  const res = await client.get(server.url)
  let received = 0
  const read = async () => {
    for await (const chunk of res.body as ReadableStream<Uint8Array>) received += chunk.length
  }
  await expect(read()).rejects.toBeInstanceOf(BodyLimitError)
  expect(received).toBeLessThanOrEqual(MiB)
})

it('a body under the limit decodes in full', async () => {
  const server = await startBombServer()
  await using client = new Client({ maxDecodedBodySize: 64 * MiB })
  const res = await client.get(server.url)
  expect((await res.arrayBuffer()).byteLength).toBe(32 * MiB)
})

it('the client stays usable after a body-limit error', async () => {
  const server = await startBombServer()
  await using client = new Client({ maxDecodedBodySize: MiB })
  await failureOf(client.get(server.url))
  const res = await client.get(server.url, { decompress: false })
  expect(Buffer.from(await res.bytes()).equals(bomb)).toBe(true)
})
