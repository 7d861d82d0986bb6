import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { Client, type Progress } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const SIZE = 5 * 1024 * 1024
const PIECE = 64 * 1024
const body = randomBytes(SIZE)

function pieces(): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= SIZE) {
        controller.close()
        return
      }
      controller.enqueue(body.subarray(at, at + PIECE))
      at += PIECE
    },
  })
}

function expectOneCompletion(reports: Progress[], transferred: number, total: number): void {
  expect(reports.filter((p) => p.percent === 1)).toHaveLength(1)
  expect(reports.at(-1)).toEqual({ transferredBytes: transferred, totalBytes: total, percent: 1 })
}

it('reports a buffered 5 MiB upload at 100 % exactly once, with its size', async () => {
  const server = await startRecordingServer()
  await using client = new Client()
  const reports: Progress[] = []

  const res = await client.post(server.url, {
    body,
    onUploadProgress: (p) => reports.push({ ...p }),
  })

  expect(res.status).toBe(200)
  expect(server.requests[0]?.body.equals(body)).toBe(true)
  expectOneCompletion(reports, SIZE, SIZE)
})

it.each([
  ['with', true],
  ['without', false],
])(
  'reports a streamed 5 MiB upload %s Content-Length: 100 percent once, fewer calls than chunks',
  async (_, withLength) => {
    const server = await startRecordingServer()
    await using client = new Client()
    const reports: Progress[] = []

    await client.post(server.url, {
      body: pieces(),
      headers: withLength ? { 'content-length': String(SIZE) } : {},
      onUploadProgress: (p) => reports.push({ ...p }),
    })

    expect(server.requests[0]?.body.equals(body)).toBe(true)
    expectOneCompletion(reports, SIZE, withLength ? SIZE : 0)
    expect(reports.length).toBeLessThan(SIZE / PIECE)
  },
)
