import { afterEach, expect, it } from 'vitest'
import {
  Client,
  ConnectError,
  fetch,
  HyperHttpError,
  InvalidArgumentError,
} from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, closedPort } from './helpers/servers.js'

afterEach(closeAll)

it("connection refused: TypeError('fetch failed') whose cause is ConnectError ERR_CONNECT", async () => {
  const port = await closedPort()
  const error = await rejectionOf(fetch(`http://127.0.0.1:${port}/`))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).message).toBe('fetch failed')
  const cause = (error as TypeError).cause
  expect(cause).toBeInstanceOf(ConnectError)
  expect(cause).toBeInstanceOf(HyperHttpError)
  expect((cause as ConnectError).code).toBe('ERR_CONNECT')
})

it('unknown host: the cause is ConnectError ERR_DNS', async () => {
  const error = await rejectionOf(fetch('http://nohost.invalid/'))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).message).toBe('fetch failed')
  const cause = (error as TypeError).cause
  expect(cause).toBeInstanceOf(ConnectError)
  expect((cause as ConnectError).code).toBe('ERR_DNS')
})

it('Client methods reject with the typed error itself, carrying the url', async () => {
  const port = await closedPort()
  await using client = new Client()
  const url = `http://127.0.0.1:${port}/path`
  const error = await rejectionOf(client.get(url))
  expect(error).toBeInstanceOf(ConnectError)
  expect((error as ConnectError).code).toBe('ERR_CONNECT')
  expect(String((error as ConnectError).url)).toBe(url)
})

it('an invalid URL rejects with a TypeError whose cause is InvalidArgumentError', async () => {
  const error = await rejectionOf(fetch('not a url'))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
})

it('a non-http scheme rejects with a TypeError', async () => {
  const error = await rejectionOf(fetch('ftp://127.0.0.1/file'))
  expect(error).toBeInstanceOf(TypeError)
})
