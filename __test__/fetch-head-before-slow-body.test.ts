import type net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { fetch, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startRawServer } from './helpers/servers.js'

afterEach(closeAll)

/** How long the server waits between the head and the (small, declared-length) body. */
const BODY_DELAY = 1_500
const BODY = 'late but small'

/** Sends the head at once and the whole small body BODY_DELAY ms later. */
async function startSlowBodyServer() {
  const sockets = new Set<net.Socket>()
  const server = await startRawServer((socket) => {
    sockets.add(socket)
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`)
    const timer = setTimeout(() => socket.end(BODY), BODY_DELAY)
    socket.once('close', () => clearTimeout(timer))
  })
  return server
}

it('fetch() resolves with the head before a slow small body arrives, then reads the body', async () => {
  const server = await startSlowBodyServer()
  const started = performance.now()
  const res = await fetch(server.url)
  const headAfter = performance.now() - started
  expect(res.status).toBe(200)
  expect(await res.text()).toBe(BODY)
  const bodyAfter = performance.now() - started
  // The alternative is waiting for the body: the head must come well before it.
  expect(headAfter).toBeLessThan(BODY_DELAY / 2)
  expect(bodyAfter).toBeGreaterThanOrEqual(BODY_DELAY - 50)
})

it("a read timeout shorter than the gap before the body fails the body with phase 'body'", async () => {
  const server = await startSlowBodyServer()
  const res = await fetch(server.url, { timeout: { read: 400 } })
  expect(res.status).toBe(200)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TypeError)
  const cause = (error as TypeError).cause
  expect(cause).toBeInstanceOf(TimeoutError)
  expect((cause as TimeoutError).phase).toBe('body')
})
