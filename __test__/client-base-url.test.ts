import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('resolves relative urls below the baseUrl path, with or without a leading slash', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: `${server.url}/api/v1` })
  await client.get('users')
  await client.get('users/42?full=1')
  await client.get('/items')
  await client.get('')
  expect(server.requests.map((r) => r.url)).toEqual([
    '/api/v1/users',
    '/api/v1/users/42?full=1',
    '/api/v1/items',
    '/api/v1/',
  ])
})

it('accepts a URL object as baseUrl', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: new URL(`${server.url}/base/`) })
  const res = await client.get('x')
  expect(res.url).toBe(`${server.url}/base/x`)
  expect(server.requests[0]?.url).toBe('/base/x')
})

it('appends the query option to the url', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url })
  await client.get('/search?keep=1', { query: { q: 'value', n: '2' } })
  const url = new URL(server.requests[0]?.url ?? '', server.url)
  expect(url.pathname).toBe('/search')
  expect(url.searchParams.get('keep')).toBe('1')
  expect(url.searchParams.get('q')).toBe('value')
  expect(url.searchParams.get('n')).toBe('2')
})

it('allows an absolute url on the base origin', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: `${server.url}/api/` })
  await client.get(`${server.url}/elsewhere`)
  expect(server.requests[0]?.url).toBe('/elsewhere')
})

it('refuses a protocol-relative url that would leave the base origin, without connecting', async () => {
  const base = await startRecordingServer()
  const other = await startRecordingServer()
  await using client = new Client({ baseUrl: `${base.url}/api/` })
  const error = await rejectionOf(client.get(`//127.0.0.1:${other.port}/x`))
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT')
  expect(other.connections.total).toBe(0)
  expect(base.connections.total).toBe(0)
})

it('refuses an absolute url to another origin (host, port or scheme), without connecting', async () => {
  const base = await startRecordingServer()
  const other = await startRecordingServer()
  await using client = new Client({ baseUrl: `${base.url}/api/` })
  for (const url of [
    `${other.url}/x`,
    `http://localhost:${base.port}/x`,
    `https://127.0.0.1:${base.port}/x`,
  ]) {
    const error = await rejectionOf(client.get(url))
    expect(error, url).toBeInstanceOf(InvalidArgumentError)
  }
  expect(other.connections.total).toBe(0)
  expect(base.connections.total).toBe(0)
})

it('refuses to leave the base origin through client.fetch too', async () => {
  const base = await startRecordingServer()
  const other = await startRecordingServer()
  await using client = new Client({ baseUrl: base.url })
  const error = await rejectionOf(client.fetch(`${other.url}/x`))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
  expect(other.connections.total).toBe(0)
})
