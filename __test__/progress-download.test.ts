import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterEach, expect, it } from 'vitest'
import { Client, type Progress } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const SIZE = 5 * 1024 * 1024
const PIECE = 64 * 1024
const body = randomBytes(SIZE)

/** Serves `body` in 64 KiB writes, each after the previous one drained. */
async function startBodyServer(withLength: boolean) {
  return startHttpServer(async (_req, res) => {
    res.writeHead(200, withLength ? { 'content-length': String(SIZE) } : {})
    for (let at = 0; at < SIZE; at += PIECE) {
      if (!res.write(body.subarray(at, at + PIECE))) {
        await new Promise((resolve) => res.once('drain', resolve))
      }
    }
    res.end()
  })
}

function expectOneCompletion(reports: Progress[], transferred: number, total: number): void {
  expect(reports.filter((p) => p.percent === 1)).toHaveLength(1)
  expect(reports.at(-1)).toEqual({ transferredBytes: transferred, totalBytes: total, percent: 1 })
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]?.transferredBytes).toBeGreaterThanOrEqual(
      reports[i - 1]?.transferredBytes ?? 0,
    )
  }
}

it.each([
  ['with', true],
  ['without', false],
])(
  'reports a 5 MiB download %s Content-Length: 100 percent once, the byte count, far fewer calls than chunks',
  async (_, withLength) => {
    const server = await startBodyServer(withLength)
    await using client = new Client()
    const reports: Progress[] = []

    const res = await client.get(server.url, { onDownloadProgress: (p) => reports.push({ ...p }) })
    let chunks = 0
    let received = 0
    for await (const chunk of res.body as ReadableStream<Uint8Array>) {
      chunks += 1
      received += chunk.length
    }

    expect(received).toBe(SIZE)
    expectOneCompletion(reports, SIZE, withLength ? SIZE : 0)
    expect(reports.length).toBeLessThan(chunks)
    if (withLength) {
      for (const p of reports) expect(p.percent).toBeCloseTo(p.transferredBytes / SIZE, 10)
    }
  },
)

it('reports a body that arrived with its head once, at 100 %', async () => {
  const server = await startHttpServer((_req, res) => res.end('x'.repeat(1000)))
  await using client = new Client()
  const reports: Progress[] = []

  const res = await client.get(server.url, { onDownloadProgress: (p) => reports.push({ ...p }) })

  expect(reports).toEqual([{ transferredBytes: 1000, totalBytes: 1000, percent: 1 }])
  expect(await res.text()).toHaveLength(1000)
})

it('counts decoded bytes with an unknown total when the body is compressed', async () => {
  const plain = Buffer.alloc(SIZE, 'a')
  const zipped = gzipSync(plain)
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(zipped.length) })
    res.end(zipped)
  })
  await using client = new Client()
  const reports: Progress[] = []

  const res = await client.get(server.url, { onDownloadProgress: (p) => reports.push({ ...p }) })
  const text = await res.text()

  expect(text).toHaveLength(SIZE)
  expectOneCompletion(reports, SIZE, 0)
})

it('reports a response without a body once, at 100 % of 0 bytes', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(204)
    res.end()
  })
  await using client = new Client()
  const reports: Progress[] = []

  await client.get(server.url, { onDownloadProgress: (p) => reports.push({ ...p }) })

  expect(reports).toEqual([{ transferredBytes: 0, totalBytes: 0, percent: 1 }])
})
