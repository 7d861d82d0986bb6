import { afterEach, expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'
import { headerValues, startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a content-length shorter or longer than the body is refused before anything is sent', async () => {
  const server = await startHeadServer()
  for (const declared of ['3', '9']) {
    const error = await fetch(server.url, {
      method: 'POST',
      body: Buffer.from('hello'),
      headers: { 'content-length': declared },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
    expect(((error as TypeError).cause as InvalidArgumentError).message).toContain(
      `content-length header says ${declared} bytes but the body is 5 bytes`,
    )
  }
  expect(server.connections.total).toBe(0)
})

it('the Client refuses a mismatch with an InvalidArgumentError', async () => {
  const server = await startHeadServer()
  await using client = new Client({ retry: false })
  const error = await client
    .post(server.url, { body: 'hello', headers: { 'content-length': '4' } })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT')
  const empty = await client
    .put(server.url, { headers: { 'content-length': '2' } })
    .catch((e: unknown) => e)
  expect(empty).toBeInstanceOf(InvalidArgumentError)
  expect(server.connections.total).toBe(0)
})

it('a matching content-length is sent once, with the whole body', async () => {
  const server = await startHeadServer()
  const res = await fetch(server.url, {
    method: 'POST',
    body: 'hello',
    headers: { 'content-length': '5' },
  })
  expect(await res.text()).toBe('ok')
  expect(headerValues(server.heads[0] as string, 'content-length')).toEqual(['5'])
})
