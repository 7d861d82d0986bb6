import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('sends the default headers with every request', async () => {
  const server = await startRecordingServer()
  await using client = new Client({
    baseUrl: server.url,
    headers: { 'x-default': 'd', authorization: 'Bearer t' },
  })
  await client.get('/a')
  await client.post('/b', { body: 'x' })
  for (const seen of server.requests) {
    expect(seen.headers['x-default']).toBe('d')
    expect(seen.headers.authorization).toBe('Bearer t')
  }
  expect(server.requests).toHaveLength(2)
})

it('lets a per-request header override a default one, whatever its case', async () => {
  const server = await startRecordingServer()
  await using client = new Client({
    baseUrl: server.url,
    headers: { 'x-over': 'client', 'x-keep': 'kept' },
  })
  await client.get('/', { headers: { 'X-Over': 'request' } })
  const seen = server.requests[0]
  expect(seen?.headers['x-over']).toBe('request')
  expect(seen?.headers['x-keep']).toBe('kept')
})

it('accepts default headers as a Headers instance and as pairs', async () => {
  const server = await startRecordingServer()
  await using fromHeaders = new Client({
    baseUrl: server.url,
    headers: new Headers({ 'x-a': '1' }),
  })
  await using fromPairs = new Client({ baseUrl: server.url, headers: [['x-b', '2']] })
  await fromHeaders.get('/')
  await fromPairs.get('/')
  expect(server.requests[0]?.headers['x-a']).toBe('1')
  expect(server.requests[1]?.headers['x-b']).toBe('2')
})

it('applies default headers to client.fetch as well', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ headers: { 'x-default': 'via-fetch' } })
  await client.fetch(server.url, { headers: { 'x-extra': 'e' } })
  expect(server.requests[0]?.headers['x-default']).toBe('via-fetch')
  expect(server.requests[0]?.headers['x-extra']).toBe('e')
})
