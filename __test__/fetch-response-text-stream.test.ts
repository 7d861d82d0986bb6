import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { startBodyServer } from './helpers/response-bodies.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** Node 26 added `textStream()` to the platform's Response; older Nodes do not have it. */
const platformTextStream = (
  globalThis.Response.prototype as { textStream?: () => ReadableStream<string> }
).textStream

/** What `/split` sends: a byte order mark, an é cut between two writes, and a malformed byte. */
const FIRST = Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3])
const REST = Buffer.concat([Buffer.from([0xa9]), Buffer.from(' wörld'), Buffer.from([0xff])])
const DECODED = 'hé wörld\ufffd'

async function startTextServer() {
  return startHttpServer((req, res) => {
    if (req.url === '/empty') {
      res.writeHead(204)
      return res.end()
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    // The rest comes later, so the stream decodes pieces that arrive apart.
    res.write(FIRST)
    setTimeout(() => res.end(REST), 20)
  })
}

async function collect(stream: ReadableStream<string>): Promise<string[]> {
  const pieces: string[] = []
  for await (const piece of stream) pieces.push(piece)
  return pieces
}

it('textStream() decodes the body as UTF-8 while it arrives, as Node 26 does', async () => {
  const server = await startTextServer()
  const res = await fetch(`${server.url}/split`)
  const stream = res.textStream()
  expect(res.bodyUsed).toBe(true)
  expect(() => res.textStream()).toThrow(/Body is unusable/)
  await expect(res.text()).rejects.toThrow(TypeError)
  const pieces = await collect(stream)
  expect(pieces.join('')).toBe(DECODED)
  expect(pieces.every((piece) => typeof piece === 'string')).toBe(true)
  if (platformTextStream !== undefined) {
    const node = await globalThis.fetch(`${server.url}/split`)
    const theirs = Reflect.apply(platformTextStream, node, []) as ReadableStream<string>
    expect(node.bodyUsed).toBe(true)
    expect((await collect(theirs)).join('')).toBe(DECODED)
  }
  await using client = new Client({ baseUrl: server.url })
  expect((await collect((await client.get('/split')).textStream())).join('')).toBe(DECODED)
})

it('textStream() of a response without a body is an empty stream, and a read body refuses it', async () => {
  const server = await startTextServer()
  for (const [path, method] of [
    ['/empty', 'GET'],
    ['/split', 'HEAD'],
  ]) {
    const res = await fetch(`${server.url}${path}`, { method })
    expect(res.body).toBe(null)
    expect(await collect(res.textStream()), `${method} ${path}`).toEqual([])
    expect(res.bodyUsed).toBe(false)
  }
  const read = await fetch(`${server.url}/split`)
  await read.arrayBuffer()
  expect(() => read.textStream()).toThrow(TypeError)
  const locked = await fetch(`${server.url}/split`)
  locked.body?.getReader()
  expect(() => locked.textStream()).toThrow(/Body is unusable/)
})

it('textStream() fails with the abort reason when the fetch is aborted mid-body', async () => {
  const server = await startBodyServer()
  const controller = new AbortController()
  const res = await fetch(`${server.url}/held`, { signal: controller.signal })
  const reader = res.textStream().getReader()
  // The part that came with the head is decoded before the abort.
  expect((await reader.read()).value).toMatch(/^a+$/)
  const reason = new Error('stop reading')
  controller.abort(reason)
  server.release()
  // Pieces decoded before the abort may still come; then the stream fails with the reason.
  let error: unknown = 'the stream ended without an error'
  for (;;) {
    try {
      if ((await reader.read()).done) break
    } catch (caught) {
      error = caught
      break
    }
  }
  expect(error).toBe(reason)
})
