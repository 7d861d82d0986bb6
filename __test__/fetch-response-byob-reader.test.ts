import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import {
  HELD_FIRST,
  HELD_LENGTH,
  HELD_REST,
  SMALL_BODY,
  startBodyServer,
} from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** Reads `body` to the end through a BYOB reader, `size` bytes of the caller's memory at a time. */
async function readByob(body: ReadableStream<Uint8Array> | null, size: number): Promise<Buffer> {
  const reader = (body as ReadableStream<Uint8Array>).getReader({ mode: 'byob' })
  const parts: Buffer[] = []
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(size))
    if (done) return Buffer.concat(parts)
    expect(value.byteLength).toBeLessThanOrEqual(size)
    parts.push(Buffer.from(value))
  }
}

it('reads a body that arrived whole into the caller’s buffers', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/small`)
  expect((await readByob(res.body, 3)).toString()).toBe(SMALL_BODY)
  expect(res.bodyUsed).toBe(true)
})

it('reads a body still arriving from the engine into the caller’s buffers', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/held`)
  server.release()
  const bytes = await readByob(res.body, 10_000)
  expect(bytes.length).toBe(HELD_LENGTH)
  expect(bytes.equals(Buffer.concat([HELD_FIRST, HELD_REST]))).toBe(true)
})

it('reads both branches of a clone with BYOB readers', async () => {
  const server = await startBodyServer()
  for (const path of ['/small', '/held']) {
    const res = await fetch(`${server.url}${path}`)
    server.release()
    const copy = res.clone()
    const [mine, theirs] = await Promise.all([readByob(res.body, 4096), readByob(copy.body, 700)])
    expect(mine.equals(theirs)).toBe(true)
    expect(mine.length).toBe(path === '/small' ? SMALL_BODY.length : HELD_LENGTH)
  }
})

it('keeps the default reader working on the same byte stream', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/held`)
  server.release()
  let length = 0
  for await (const chunk of res.body as ReadableStream<Uint8Array>) {
    expect(chunk).toBeInstanceOf(Uint8Array)
    length += chunk.byteLength
  }
  expect(length).toBe(HELD_LENGTH)
})
