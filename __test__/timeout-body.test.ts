import { afterEach, expect, it } from 'vitest'
import { Client, fetch, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** Sends the head and a first chunk, then goes quiet. */
async function startStallingServer() {
  return startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first chunk')
  })
}

it("a gap between body chunks longer than the read timeout rejects with phase 'body'", async () => {
  const server = await startStallingServer()
  await using client = new Client({ timeout: { read: 500 } })
  const res = await client.get(server.url)
  expect(res.status).toBe(200)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
  expect((error as TimeoutError).phase).toBe('body')
  expect((error as TimeoutError).message).toContain('body')
})

it('the body stream errors with the same TimeoutError after delivering what arrived', async () => {
  const server = await startStallingServer()
  await using client = new Client({ timeout: { read: 500 } })
  const res = await client.get(server.url)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const first = await reader.read()
  expect(new TextDecoder().decode(first.value)).toBe('first chunk')
  const error = await rejectionOf(reader.read())
  expect(error).toBeInstanceOf(TimeoutError)
  expect((error as TimeoutError).phase).toBe('body')
})

it('a slow but steady body does not trip the read timeout', async () => {
  const server = await startHttpServer((_req, res) => {
    let sent = 0
    const timer = setInterval(() => {
      sent += 1
      if (sent === 10) {
        clearInterval(timer)
        res.end('.')
      } else {
        res.write('.')
      }
    }, 50)
  })
  await using client = new Client({ timeout: { read: 2_000 } })
  expect(await (await client.get(server.url)).text()).toBe('..........')
})

it('fetch: a body read timeout surfaces as the TimeoutError, directly or as the cause', async () => {
  const server = await startStallingServer()
  const res = await fetch(server.url, { timeout: { read: 500 } })
  const error = await rejectionOf(res.text())
  const timeout = error instanceof TimeoutError ? error : (error as Error).cause
  expect(timeout).toBeInstanceOf(TimeoutError)
  expect((timeout as TimeoutError).phase).toBe('body')
})
