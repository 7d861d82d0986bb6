import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** Announces a `Keep-Alive` hint but actually keeps idle sockets for a minute. */
async function startHintingServer(hint: string) {
  return startRecordingServer((_req, res) => {
    res.setHeader('connection', 'keep-alive')
    res.setHeader('keep-alive', hint)
    res.end('ok')
  })
}

it('a Keep-Alive: timeout=1 hint retires the connection after one idle second', async () => {
  const server = await startHintingServer('timeout=1')
  await using client = new Client({ baseUrl: server.url })
  expect(await (await client.get('/first')).text()).toBe('ok')
  await sleep(1_500)
  expect(await (await client.get('/second')).text()).toBe('ok')
  expect(server.connections.total).toBe(2)
})

it('a Keep-Alive: timeout=2 hint keeps the connection for quick reuse and retires it after 1.5 s idle', async () => {
  const server = await startHintingServer('timeout=2')
  await using client = new Client({ baseUrl: server.url })
  await (await client.get('/first')).text()
  await (await client.get('/right-away')).text()
  expect(server.connections.total).toBe(1)
  await sleep(1_500)
  expect(await (await client.get('/after-idle')).text()).toBe('ok')
  expect(server.connections.total).toBe(2)
})

it('a hint longer than keepAliveTimeout does not extend it', async () => {
  const server = await startHintingServer('timeout=60, max=100')
  await using client = new Client({ baseUrl: server.url, limits: { keepAliveTimeout: 200 } })
  await (await client.get('/first')).text()
  await sleep(1_000)
  await (await client.get('/second')).text()
  expect(server.connections.total).toBe(2)
})
