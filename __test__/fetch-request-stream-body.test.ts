import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    pull(controller) {
      const next = parts.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(encoder.encode(next))
    },
  })
}

it("streams a ReadableStream body with duplex: 'half'", async () => {
  const server = await startRecordingServer()
  const parts = Array.from({ length: 50 }, (_, i) => `part-${i};`)
  const expected = parts.join('')
  const res = await fetch(server.url, {
    method: 'POST',
    body: streamOf(parts),
    duplex: 'half',
  } as RequestInit)
  expect(res.status).toBe(200)
  expect(server.requests[0]?.body.toString()).toBe(expected)
  expect(server.requests[0]?.headers['content-length']).toBeUndefined()
  expect(server.requests[0]?.headers['transfer-encoding']).toBe('chunked')
})

it('streams a large body chunk by chunk, byte-exact', async () => {
  const server = await startRecordingServer()
  const chunk = Buffer.alloc(64 * 1024)
  let sent = 0
  const total = 8 * 1024 * 1024
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close()
      chunk.fill(sent / chunk.length)
      controller.enqueue(new Uint8Array(chunk))
      sent += chunk.length
    },
  })
  await fetch(server.url, { method: 'POST', body, duplex: 'half' } as RequestInit)
  const received = server.requests[0]?.body ?? Buffer.alloc(0)
  expect(received.length).toBe(total)
  for (let offset = 0; offset < total; offset += chunk.length) {
    expect(received[offset]).toBe((offset / chunk.length) & 0xff)
  }
})

it("rejects a ReadableStream body without duplex: 'half' with a TypeError, sending nothing", async () => {
  const server = await startRecordingServer()
  const error = await rejectionOf(fetch(server.url, { method: 'POST', body: streamOf(['x']) }))
  expect(error).toBeInstanceOf(TypeError)
  expect(server.connections.total).toBe(0)
})

it('rejects when the body stream errors, keeping the stream error in the cause chain', async () => {
  const server = await startRecordingServer()
  const failure = new Error('producer broke')
  let pulls = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls += 1
      if (pulls === 1) controller.enqueue(new TextEncoder().encode('first'))
      else controller.error(failure)
    },
  })
  const error = await rejectionOf(
    fetch(server.url, { method: 'POST', body, duplex: 'half' } as RequestInit),
  )
  const causes: unknown[] = []
  for (let e: unknown = error; e instanceof Error; e = e.cause) causes.push(e)
  expect(causes).toContain(failure)
})
