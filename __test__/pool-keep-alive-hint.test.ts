import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** Announces `Keep-Alive: timeout=1` but actually keeps sockets for a minute. */
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

it('without idling past the hint the connection is reused', async () => {
  const server = await startHintingServer('timeout=1')
  await using client = new Client({ baseUrl: server.url })
  await (await client.get('/first')).text()
  await (await client.get('/second')).text()
  expect(server.connections.total).toBe(1)
})

it('a hint longer than keepAliveTimeout does not extend it', async () => {
  const server = await startHintingServer('timeout=60, max=100')
  await using client = new Client({ baseUrl: server.url, limits: { keepAliveTimeout: 200 } })
  await (await client.get('/first')).text()
  await sleep(1_000)
  await (await client.get('/second')).text()
  expect(server.connections.total).toBe(2)
})
