import { afterEach, expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'
import { startHeadServer } from './helpers/heads.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('CONNECT, TRACE and TRACK are TypeErrors with the message Node gives', async () => {
  const server = await startHeadServer()
  for (const method of ['CONNECT', 'TRACE', 'track']) {
    const ours = await fetch(server.url, { method }).catch((e: unknown) => e)
    const node = await globalThis.fetch(server.url, { method }).catch((e: unknown) => e)
    expect(ours).toBeInstanceOf(TypeError)
    expect((ours as TypeError).message).toBe((node as TypeError).message)
  }
  expect(server.connections.total).toBe(0)
})

it('the Client still sends TRACE, and refuses CONNECT and TRACK', async () => {
  const server = await startHeadServer()
  await using client = new Client()
  const res = await client.request({ method: 'TRACE', url: server.url })
  expect(res.status).toBe(200)
  expect(server.heads[0]?.startsWith('TRACE / HTTP/1.1')).toBe(true)
  for (const method of ['CONNECT', 'TRACK']) {
    await expect(client.request({ method, url: server.url })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  }
  expect(server.connections.total).toBe(1)
})
