import { afterEach, expect, it } from 'vitest'
import { AbortError, Client } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import {
  closeBackpressureServers,
  MB,
  sleep,
  startBackpressureServer,
} from './helpers/backpressure.js'

afterEach(closeBackpressureServers)

const TOTAL = 100 * MB

it('a consumer reading 1 KB a second from a 100 MB body keeps memory flat, loses nothing, and the server is held back', async () => {
  const { url, stats } = await startBackpressureServer(TOTAL)
  await using client = new Client({ timeout: { read: 60_000 } })
  const controller = new AbortController()
  const rssBefore = process.memoryUsage().rss

  const res = await client.get(url, { signal: controller.signal })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader({ mode: 'byob' })
  let offset = 0
  let peakRss = 0
  const writtenAt: number[] = []
  for (let second = 0; second < 5; second += 1) {
    const { value } = await reader.read(new Uint8Array(1000))
    const bytes = value as Uint8Array
    // Nothing lost or reordered: each byte is the one the server wrote at that offset.
    const expected = Uint8Array.from(bytes, (_, i) => (offset + i) % 251)
    expect(Buffer.from(bytes).equals(expected)).toBe(true)
    offset += bytes.length
    await sleep(1_000)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    writtenAt.push(stats.written)
  }
  controller.abort()
  // Bytes already handed to the stream may still be read; then the abort surfaces.
  const drained = (async () => {
    for (;;) if ((await reader.read(new Uint8Array(64 * 1024))).done) return
  })()
  expect(await rejectionOf(drained)).toBeInstanceOf(AbortError)

  expect(offset).toBeGreaterThanOrEqual(5)
  // The server's writes blocked: it got nowhere near 100 MB (4.3 MB here) and stopped advancing.
  expect(stats.blocked).toBeGreaterThan(0)
  expect(writtenAt.at(-1)).toBeLessThan(TOTAL / 5)
  expect(writtenAt.at(-1)).toBe(writtenAt[1])
  // Client and server buffers together hold a small fraction of the body (+13 MB RSS here).
  expect(peakRss - rssBefore).toBeLessThan(40 * MB)
})
