import { createHash, randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const GIB = 1024 * 1024 * 1024
const CHUNK = 1024 * 1024
const MB = 1_000_000

/**
 * 1 GiB made on the fly, one 1 MiB chunk per pull: random bytes with the chunk's index in its
 * first 4 bytes, so no two chunks are equal and a lost, doubled or reordered chunk changes the
 * hash. Only the chunk being sent exists; `sha256` follows what was handed over.
 */
function generatedBody(sha256: ReturnType<typeof createHash>): ReadableStream<Uint8Array> {
  const pattern = randomBytes(CHUNK)
  let index = 0
  return new ReadableStream({
    pull(controller) {
      if (index * CHUNK >= GIB) return controller.close()
      const chunk = Buffer.allocUnsafe(CHUNK)
      pattern.copy(chunk)
      chunk.writeUInt32BE(index, 0)
      index += 1
      sha256.update(chunk)
      controller.enqueue(chunk)
    },
  })
}

it('a 1 GiB ReadableStream upload arrives whole while client memory stays far below the body size', async () => {
  let received = 0
  const serverHash = createHash('sha256')
  const server = await startHttpServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      received += chunk.length
      serverHash.update(chunk)
    })
    req.on('end', () => res.end(JSON.stringify({ received, sha256: serverHash.digest('hex') })))
  })
  await using client = new Client({ timeout: { total: 120_000 } })
  const clientHash = createHash('sha256')
  const rssBefore = process.memoryUsage().rss
  let peakRss = rssBefore
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 50)
  const started = performance.now()
  try {
    const res = await client.post(server.url, { body: generatedBody(clientHash) })
    const answer = (await res.json()) as { received: number; sha256: string }
    expect(res.status).toBe(200)
    expect(answer.received).toBe(GIB)
    expect(answer.sha256).toBe(clientHash.digest('hex'))
  } finally {
    clearInterval(sampler)
  }
  const growth = peakRss - rssBefore
  console.log(
    `1 GiB upload in ${Math.round(performance.now() - started)} ms, peak RSS +${(growth / MB).toFixed(1)} MB`,
  )
  // The whole body would be 1,074 MB; what is in flight is a few chunks and socket buffers.
  expect(growth).toBeLessThan(200 * MB)
}, 120_000)
