// The facade keeps the last URL it resolved (src/url.ts): the same string sent again must
// still resolve against the client's own base, with its query, and a bad URL must still fail.
import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('resolves the same relative url against each client’s own base, alternately', async () => {
  const server = await startRecordingServer()
  await using a = new Client({ baseUrl: `${server.url}/a/` })
  await using b = new Client({ baseUrl: `${server.url}/b/` })
  for (let i = 0; i < 2; i++) {
    await a.get('item')
    await a.get('item')
    await b.get('item')
  }
  expect(server.requests.map((r) => r.url)).toEqual([
    '/a/item',
    '/a/item',
    '/b/item',
    '/a/item',
    '/a/item',
    '/b/item',
  ])
})

it('adds the query each time the same url is sent with one', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url })
  await client.get('/search')
  await client.get('/search', { query: { q: '1' } })
  await client.get('/search')
  await client.get('/search', { query: { q: '2' } })
  expect(server.requests.map((r) => r.url)).toEqual([
    '/search',
    '/search?q=1',
    '/search',
    '/search?q=2',
  ])
})

it('refuses a relative url without a base after the same url resolved with one', async () => {
  const server = await startRecordingServer()
  await using based = new Client({ baseUrl: server.url })
  await using bare = new Client()
  await based.get('/x')
  const error = await rejectionOf(bare.get('/x'))
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as InvalidArgumentError).message).toContain('no baseUrl')
  expect(server.requests.map((r) => r.url)).toEqual(['/x'])
})

it('sends an absolute url again after another one, and fetch sees the same', async () => {
  const server = await startRecordingServer()
  await using client = new Client()
  const first = await client.fetch(`${server.url}/one`)
  const second = await client.fetch(`${server.url}/two`)
  const again = await client.fetch(`${server.url}/one`)
  expect([first.url, second.url, again.url]).toEqual([
    `${server.url}/one`,
    `${server.url}/two`,
    `${server.url}/one`,
  ])
  await Promise.all([first.text(), second.text(), again.text()])
})
