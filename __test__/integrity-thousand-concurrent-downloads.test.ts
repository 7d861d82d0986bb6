import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startHttpServer, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

const REQUESTS = 1_000
const TEN_MB = 10_000_000
const MB = 1_000_000

/** Random bytes (every byte value many times over) that each body is a slice of. */
const POOL = randomBytes(16 * 1024 * 1024)

/** mulberry32: a small seeded generator, so a path always means the same size and chunking. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * Request `id`'s body: empty for 0, exactly 10 MB for every 50th, 1–10 MB for every 10th, up to
 * 1 MiB (log-uniform, so many tiny ones) for the rest; at an offset of the pool of its own, so
 * no two bodies are alike.
 */
function bodyOf(id: number): Buffer {
  const random = generator(id * 7_919 + 1)
  let size: number
  if (id === 0) size = 0
  else if (id % 50 === 1) size = TEN_MB
  else if (id % 10 === 2) size = MB + Math.floor(random() * 9 * MB)
  else size = Math.floor(2 ** (random() * 20))
  const offset = Math.floor(random() * (POOL.length - size))
  return POOL.subarray(offset, offset + size)
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

const TOTAL_BYTES = Array.from({ length: REQUESTS }, (_, id) => bodyOf(id).length).reduce(
  (sum, size) => sum + size,
  0,
)

interface ChunkedWriter {
  write(chunk: Buffer): boolean
  end(): unknown
  once(event: 'drain', listener: () => void): unknown
  setHeader(name: string, value: string): unknown
  readonly destroyed: boolean
}

/** Serves `/<id>` in pieces of 1 B to 64 KiB, with the body's SHA-256 in a header. */
async function serve(req: IncomingMessage | Http2ServerRequest, res: ChunkedWriter) {
  const id = Number(req.url?.slice(1))
  const body = bodyOf(id)
  res.setHeader('x-request-id', String(id))
  res.setHeader('x-sha256', sha256(body))
  res.setHeader('content-type', 'application/octet-stream')
  const random = generator(id + 1_000_003)
  let offset = 0
  while (offset < body.length && !res.destroyed) {
    const size = 1 + Math.floor(random() * 64 * 1024)
    const more = res.write(body.subarray(offset, offset + size))
    offset += size
    if (!more) await new Promise<void>((resolve) => res.once('drain', resolve))
  }
  res.end()
}

async function downloadAll(client: Client, origin: string) {
  return Promise.all(
    Array.from({ length: REQUESTS }, async (_, id) => {
      const res = await client.get(`${origin}/${id}`)
      const hash = createHash('sha256')
      let length = 0
      for await (const chunk of res.body as ReadableStream<Uint8Array>) {
        hash.update(chunk)
        length += chunk.length
      }
      return {
        id,
        status: res.status,
        echoedId: res.headers.get('x-request-id'),
        serverSha256: res.headers.get('x-sha256'),
        length,
        sha256: hash.digest('hex'),
      }
    }),
  )
}

function expectEveryBodyIntact(results: Awaited<ReturnType<typeof downloadAll>>) {
  expect(results).toHaveLength(REQUESTS)
  for (const result of results) {
    const expected = bodyOf(result.id)
    expect(result).toEqual({
      id: result.id,
      status: 200,
      echoedId: String(result.id),
      serverSha256: sha256(expected),
      length: expected.length,
      sha256: sha256(expected),
    })
  }
}

const protocols = [
  {
    name: 'HTTP/1.1',
    start: () => startHttpServer((req, res) => void serve(req, res)),
    client: () => new Client(),
  },
  {
    name: 'HTTP/2',
    start: () =>
      // Node's default 10 MB session cap refuses streams past it with ENHANCE_YOUR_CALM, which
      // the client reports as a ProtocolError; 1,000 streams of up to 10 MB need more room.
      startSecureServer((req, res) => void serve(req, res), {
        allowHTTP1: false,
        maxSessionMemory: 1_000,
      }),
    client: () => new Client({ tls: { ca: caPem() } }),
  },
] as const

for (const protocol of protocols) {
  it(`${REQUESTS} concurrent ${protocol.name} downloads of 0–10 MB each match their SHA-256`, async () => {
    const server = await protocol.start()
    await using client = protocol.client()
    const started = performance.now()
    const results = await downloadAll(client, server.url)
    console.log(
      `${protocol.name}: ${REQUESTS} requests, ${(TOTAL_BYTES / MB).toFixed(0)} MB in ${Math.round(performance.now() - started)} ms`,
    )
    expectEveryBodyIntact(results)
  }, 120_000)
}
