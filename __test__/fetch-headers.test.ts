import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('sends headers given as an object, an array of pairs and a Headers', async () => {
  const server = await startRecordingServer()
  await fetch(server.url, { headers: { 'x-object': 'one' } })
  await fetch(server.url, { headers: [['x-pairs', 'two']] })
  await fetch(server.url, { headers: new Headers({ 'x-headers': 'three' }) })
  expect(
    server.requests.map((r) => [
      r.headers['x-object'],
      r.headers['x-pairs'],
      r.headers['x-headers'],
    ]),
  ).toEqual([
    ['one', undefined, undefined],
    [undefined, 'two', undefined],
    [undefined, undefined, 'three'],
  ])
})

it('sends a repeated request header with all its values', async () => {
  const server = await startRecordingServer()
  const headers = new Headers()
  headers.append('x-multi', 'a')
  headers.append('x-multi', 'b')
  await fetch(server.url, { headers })
  expect(server.requests[0]?.headers['x-multi']).toBe('a, b')
})

it('exposes response headers case-insensitively, joined when repeated', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.setHeader('X-Custom', 'Value')
    res.setHeader('x-list', ['1', '2'])
    res.end()
  })
  const res = await fetch(server.url)
  expect(res.headers).toBeInstanceOf(Headers)
  expect(res.headers.get('x-custom')).toBe('Value')
  expect(res.headers.get('X-CUSTOM')).toBe('Value')
  expect(res.headers.get('x-list')).toBe('1, 2')
  expect(res.headers.has('x-absent')).toBe(false)
})

it('keeps each Set-Cookie separate for getSetCookie()', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT'])
    res.end()
  })
  const res = await fetch(server.url)
  expect(res.headers.getSetCookie()).toEqual([
    'a=1; Path=/',
    'b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
  ])
})
