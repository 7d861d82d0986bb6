import type net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { AbortError, Client, fetch } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** A server that takes requests and never answers; `arrived` resolves with each request's socket. */
async function startSilentServer() {
  const arrived = deferred<net.Socket>()
  const server = await startHttpServer((req) => arrived.resolve(req.socket))
  return { ...server, arrived: arrived.promise }
}

it('an already aborted signal rejects with its reason and sends nothing', async () => {
  const server = await startSilentServer()
  const reason = new Error('stop before start')
  const error = await rejectionOf(fetch(server.url, { signal: AbortSignal.abort(reason) }))
  expect(error).toBe(reason)
  expect(server.connections.total).toBe(0)
})

it('abort() without a reason rejects with the DOMException AbortError the signal carries', async () => {
  const server = await startSilentServer()
  const controller = new AbortController()
  const pending = fetch(server.url, { signal: controller.signal })
  await server.arrived
  controller.abort()
  const error = await rejectionOf(pending)
  expect(error).toBe(controller.signal.reason)
  expect((error as DOMException).name).toBe('AbortError')
})

it('aborting while waiting for headers rejects with the reason and closes the socket', async () => {
  const server = await startSilentServer()
  const controller = new AbortController()
  const reason = new Error('changed my mind')
  const pending = fetch(server.url, { signal: controller.signal })
  const socket = await server.arrived
  controller.abort(reason)
  expect(await rejectionOf(pending)).toBe(reason)
  await server.connections.closed(socket)
})

it('aborting mid-body errors the body stream with the reason', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first part;')
  })
  const controller = new AbortController()
  const res = await fetch(server.url, { signal: controller.signal })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const first = await reader.read()
  expect(new TextDecoder().decode(first.value)).toBe('first part;')
  const reason = new Error('enough')
  controller.abort(reason)
  expect(await rejectionOf(reader.read())).toBe(reason)
})

it('aborting mid-body makes text() reject with the reason', async () => {
  const sent = deferred()
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200)
    res.write('partial', () => sent.resolve())
  })
  const controller = new AbortController()
  const res = await fetch(server.url, { signal: controller.signal })
  const text = res.text()
  await sent.promise
  const reason = new Error('abort text')
  controller.abort(reason)
  expect(await rejectionOf(text)).toBe(reason)
})

it('AbortSignal.timeout() rejects with a DOMException named TimeoutError', async () => {
  const server = await startSilentServer()
  const error = await rejectionOf(fetch(server.url, { signal: AbortSignal.timeout(200) }))
  expect(error).toBeInstanceOf(DOMException)
  expect((error as DOMException).name).toBe('TimeoutError')
})

it('Client methods reject with AbortError whose cause is the reason', async () => {
  const server = await startSilentServer()
  await using client = new Client()
  const controller = new AbortController()
  const pending = client.get(server.url, { signal: controller.signal })
  await server.arrived
  const reason = new Error('client abort')
  controller.abort(reason)
  const error = await rejectionOf(pending)
  expect(error).toBeInstanceOf(AbortError)
  expect((error as AbortError).name).toBe('AbortError')
  expect((error as AbortError).code).toBe('ERR_ABORTED')
  expect((error as AbortError).cause).toBe(reason)
})
