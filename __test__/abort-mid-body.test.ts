import type net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { AbortError, Client } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer, writeWithBackpressure } from './helpers/servers.js'

afterEach(closeAll)

const MiB = 1024 * 1024
const TOTAL = 100 * MiB

/** Streams 100 MB on `/big` (honouring backpressure) and answers 'still fine' elsewhere. */
async function startBigBodyServer() {
  const bigSocket = deferred<net.Socket>()
  const written = deferred<number>()
  const server = await startHttpServer(async (req, res) => {
    if (req.url !== '/big') return res.end('still fine')
    bigSocket.resolve(req.socket)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(TOTAL),
    })
    written.resolve(await writeWithBackpressure(res, TOTAL, 64 * 1024))
  })
  return { ...server, bigSocket: bigSocket.promise, written: written.promise }
}

async function readUntilAbort(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  reason: unknown,
) {
  const reader = body.getReader()
  let received = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`the body ended after ${received} bytes instead of failing`)
    received += value.length
    if (received >= MiB && !controller.signal.aborted) controller.abort(reason)
  }
}

it('aborting 1 MB into a 100 MB body rejects with the reason and closes the socket', async () => {
  const server = await startBigBodyServer()
  await using client = new Client({ baseUrl: server.url })
  const controller = new AbortController()
  const reason = new Error('seen enough')
  const res = await client.fetch(`${server.url}/big`, { signal: controller.signal })
  const socket = await server.bigSocket

  expect(
    await rejectionOf(readUntilAbort(res.body as ReadableStream<Uint8Array>, controller, reason)),
  ).toBe(reason)
  await server.connections.closed(socket)
  expect(await server.written).toBeLessThan(TOTAL)

  expect(await (await client.get('/after')).text()).toBe('still fine')
})

it('Client requests reject with AbortError carrying the reason as cause', async () => {
  const server = await startBigBodyServer()
  await using client = new Client({ baseUrl: server.url })
  const controller = new AbortController()
  const reason = new Error('client abort')
  const res = await client.get('/big', { signal: controller.signal })
  const socket = await server.bigSocket

  const error = await rejectionOf(
    readUntilAbort(res.body as ReadableStream<Uint8Array>, controller, reason),
  )
  expect(error).toBeInstanceOf(AbortError)
  expect((error as AbortError).cause).toBe(reason)
  await server.connections.closed(socket)
  expect(await (await client.get('/after')).text()).toBe('still fine')
})

it('cancelling the body stream closes the socket too', async () => {
  const server = await startBigBodyServer()
  await using client = new Client({ baseUrl: server.url })
  const res = await client.get('/big')
  const socket = await server.bigSocket
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  let received = 0
  while (received < MiB) {
    const { done, value } = await reader.read()
    if (done) throw new Error('ended early')
    received += value.length
  }
  await reader.cancel()
  await server.connections.closed(socket)
  expect(await server.written).toBeLessThan(TOTAL)
  expect(await (await client.get('/after')).text()).toBe('still fine')
})
