import { afterAll, beforeAll, expect, it } from 'vitest'
import { Client, fetch, HyperHttpError, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startWireServer, type WireServer } from './helpers/fuzz.js'

// Bugs the fuzz properties found, each reduced to its smallest reproduction and kept as a
// regression test. A new one may start as `it.fails('KNOWN BUG: ...')` until it is fixed,
// with the cases it covers left out of the properties meanwhile.

let server: WireServer

beforeAll(async () => {
  server = await startWireServer()
})

afterAll(async () => {
  await server.close()
})

it('a streamed body of unknown length on a GET is refused, never silently dropped', async () => {
  server.reset()
  await using client = new Client({ retry: false })
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array([1, 2, 3]))
      controller.close()
    },
  })
  const outcome = await client.request({ url: `${server.url}/`, method: 'GET', body }).then(
    (res) => res.status,
    (error: unknown) => error,
  )
  expect(outcome).toBeInstanceOf(HyperHttpError)
  expect((outcome as HyperHttpError).code).toBe('ERR_INVALID_ARGUMENT')
  expect(server.requests).toEqual([])
})

it('client.request refuses a method that only Unicode case rules would make a token (poſt is not POST)', async () => {
  server.reset()
  await using client = new Client({ retry: false })
  const error = await rejectionOf(client.request({ url: `${server.url}/`, method: 'po\u017ft' }))
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect(server.requests).toEqual([])
})

it('fetch refuses a method that only Unicode case rules would make a token (optıons is not OPTIONS)', async () => {
  server.reset()
  const error = await rejectionOf(fetch(`${server.url}/`, { method: 'opt\u0131ons' }))
  expect(error).toBeInstanceOf(TypeError)
  expect(server.requests).toEqual([])
})

it('a default header name with a Kelvin sign (U+212A) is refused, not sent as ASCII k', async () => {
  server.reset()
  let client: Client
  try {
    client = new Client({ headers: { '\u212aey': 'v' }, retry: false })
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError)
    return
  }
  try {
    const error = await rejectionOf(client.get(`${server.url}/`))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(server.requests).toEqual([])
  } finally {
    await client.close()
  }
})
