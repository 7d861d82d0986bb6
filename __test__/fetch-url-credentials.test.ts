import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function rejection(send: () => Promise<unknown>): Promise<TypeError> {
  const error = await send().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TypeError)
  return error as TypeError
}

it('credentials in the URL are a TypeError with the message Node gives', async () => {
  const server = await startHeadServer()
  const url = server.url.replace('http://', 'http://user@')
  const ours = await rejection(() => fetch(url))
  const node = await rejection(() => globalThis.fetch(url))
  expect(ours.message).toBe(node.message)
  expect(server.connections.total).toBe(0)
})

it('a password in the URL is masked in the message', async () => {
  const server = await startHeadServer()
  const error = await rejection(() => fetch(server.url.replace('http://', 'http://user:s3cret@')))
  expect(error.message).toBe(
    `Request cannot be constructed from a URL that includes credentials: ${server.url.replace('http://', 'http://user:***@')}/`,
  )
  expect(server.connections.total).toBe(0)
})
