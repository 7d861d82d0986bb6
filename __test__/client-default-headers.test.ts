import { createRequire } from 'node:module'
import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
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

/** The binding's `request` calls of this test file: own headers, header set and mask. */
function spyOnRequests(): { calls: unknown[][]; restore: () => void } {
  const { NativeClient } = createRequire(import.meta.url)('../index.cjs') as {
    NativeClient: { prototype: { request: (...args: unknown[]) => void } }
  }
  const original = NativeClient.prototype.request
  const calls: unknown[][] = []
  NativeClient.prototype.request = function (this: unknown, ...args: unknown[]) {
    calls.push(args)
    return original.apply(this, args)
  }
  return { calls, restore: () => (NativeClient.prototype.request = original) }
}

it('sends the default headers without them crossing to the engine with each request', async () => {
  const server = await startRecordingServer()
  await using client = new Client({
    baseUrl: server.url,
    headers: { 'x-a': 'a', 'x-b': 'b' },
  })
  const spy = spyOnRequests()
  try {
    await client.get('/')
    await client.get('/', { headers: { 'X-A': 'own' } })
    await client.fetch(`${server.url}/`)
  } finally {
    spy.restore()
  }
  // [id, method, url, own headers, body, options, header set, mask]
  const [first, second, third] = spy.calls
  expect(first?.[3]).toEqual([])
  expect(first?.[6]).toBeGreaterThan(0)
  expect(first?.[7]).toBe(0b11)
  expect(second?.[3]).toEqual(['X-A', 'own'])
  expect(second?.[6]).toBe(first?.[6])
  expect(second?.[7]).toBe(0b10)
  // fetch's defaults add `accept: */*`: a list of their own.
  expect(third?.[3]).toEqual([])
  expect(third?.[6]).not.toBe(first?.[6])
  expect(third?.[7]).toBe(0b111)
  expect(
    server.requests.map((r) => [r.headers['x-a'], r.headers['x-b'], r.headers.accept]),
  ).toEqual([
    ['a', 'b', undefined],
    ['own', 'b', undefined],
    ['a', 'b', '*/*'],
  ])
})

it("sends a default content-type instead of the one the body implies, and a request's own over both", async () => {
  const server = await startRecordingServer()
  await using client = new Client({
    baseUrl: server.url,
    headers: { 'content-type': 'application/x-default' },
  })
  await client.post('/', { body: 'text' })
  await client.post('/', { body: 'text', headers: { 'Content-Type': 'application/x-own' } })
  await using plain = new Client({ baseUrl: server.url, headers: { 'x-a': 'a' } })
  await plain.post('/', { body: 'text' })
  expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
    'application/x-default',
    'application/x-own',
    'text/plain;charset=UTF-8',
  ])
  expect(server.requests.map((r) => r.body.toString())).toEqual(['text', 'text', 'text'])
})

it('sends every default header when a client has more than 32', async () => {
  const server = await startRecordingServer()
  const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-d${i}`, `v${i}`]))
  await using client = new Client({ baseUrl: server.url, headers })
  const spy = spyOnRequests()
  try {
    await client.get('/', { headers: { 'x-d35': 'own' } })
    await client.fetch(`${server.url}/`)
  } finally {
    spy.restore()
  }
  // The engine holds the first 32 (one mask bit each); the rest cross as the request's own.
  const [get] = spy.calls
  expect(get?.[6]).toBeGreaterThan(0)
  expect(get?.[7]).toBe(0xffffffff)
  expect(get?.[3]).toEqual([
    'x-d35',
    'own',
    ...Array.from({ length: 8 }, (_, i) => 32 + i)
      .filter((i) => i !== 35)
      .flatMap((i) => [`x-d${i}`, `v${i}`]),
  ])
  const [viaGet, viaFetch] = server.requests
  for (let i = 0; i < 40; i++) {
    expect(viaGet?.headers[`x-d${i}`]).toBe(i === 35 ? 'own' : `v${i}`)
    expect(viaFetch?.headers[`x-d${i}`]).toBe(`v${i}`)
  }
  expect(viaFetch?.headers.accept).toBe('*/*')
})

it('fails each request with a typed error when a default header cannot be sent', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url, headers: { 'x-bad': 'a\u0100b' } })
  for (let i = 0; i < 2; i++) {
    const error = await client.get('/').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as InvalidArgumentError).message).toContain('x-bad')
  }
  expect(server.requests).toHaveLength(0)
})

it('sends the default headers of a request with an upload progress callback', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url, headers: { 'x-a': 'a' } })
  const seen: number[] = []
  await client.post('/', {
    body: 'x'.repeat(1000),
    onUploadProgress: (p) => seen.push(p.transferredBytes),
  })
  expect(server.requests[0]?.headers['x-a']).toBe('a')
  expect(seen.at(-1)).toBe(1000)
})
