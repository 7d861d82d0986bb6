import { afterEach, expect, it } from 'vitest'
import { Client, type HookRequest } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('client hooks run in array order, then the request hooks, at each point', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  const calls: string[] = []
  const mark = (name: string) => () => {
    calls.push(name)
  }
  await using client = new Client({
    hooks: {
      beforeRequest: [mark('client before 1'), mark('client before 2')],
      afterResponse: [mark('client after 1'), mark('client after 2')],
    },
  })
  await client.get(server.url, {
    hooks: { beforeRequest: [mark('request before')], afterResponse: [mark('request after')] },
  })
  expect(calls).toEqual([
    'client before 1',
    'client before 2',
    'request before',
    'client after 1',
    'client after 2',
    'request after',
  ])
})

it('beforeRequest sees the resolved request and its changes reach the server', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  let seen: HookRequest | undefined
  await using client = new Client({
    baseUrl: `${server.url}/api/`,
    headers: { 'x-default': 'client' },
    hooks: {
      beforeRequest: [
        (request) => {
          seen = { ...request, headers: new Headers(request.headers) }
          request.headers.set('authorization', 'Bearer token-1')
          request.headers.delete('x-default')
          request.url = `${request.url}&added=1`
        },
      ],
    },
  })
  await client.get('items', { query: { page: 2 }, headers: { 'x-request': 'mine' } })
  expect(seen?.method).toBe('GET')
  expect(seen?.url).toBe(`${server.url}/api/items?page=2`)
  expect(seen?.headers.get('x-default')).toBe('client')
  expect(seen?.headers.get('x-request')).toBe('mine')
  const arrival = server.arrivals[0]
  expect(arrival.url).toBe('/api/items?page=2&added=1')
  expect(arrival.headers.authorization).toBe('Bearer token-1')
  expect(arrival.headers['x-default']).toBeUndefined()
  expect(arrival.headers['x-request']).toBe('mine')
})

it('a request config returned by beforeRequest replaces the request for later hooks and the wire', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  const methods: string[] = []
  await using client = new Client({
    hooks: {
      beforeRequest: [
        (request) => ({
          url: `${server.url}/replaced`,
          method: 'put',
          json: { from: request.url },
        }),
        (request) => {
          methods.push(request.method)
        },
      ],
    },
  })
  await client.get(`${server.url}/original`)
  expect(methods).toEqual(['PUT'])
  const arrival = server.arrivals[0]
  expect(arrival.method).toBe('PUT')
  expect(arrival.url).toBe('/replaced')
  expect(arrival.headers['content-type']).toBe('application/json')
  expect(JSON.parse(arrival.body.toString())).toEqual({ from: `${server.url}/original` })
})

it('a Response from beforeRequest answers without any network traffic; afterResponse still runs', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  const after: number[] = []
  await using client = new Client({
    hooks: {
      beforeRequest: [
        () =>
          new globalThis.Response('{"cached":true}', {
            status: 203,
            headers: { 'content-type': 'application/json', 'x-cache': 'hit' },
          }),
        () => {
          throw new Error('later beforeRequest hooks do not run')
        },
      ],
      afterResponse: [(response) => void after.push(response.status)],
    },
  })
  const res = await client.get(`${server.url}/cached`)
  expect(res.status).toBe(203)
  expect(res.headers.get('x-cache')).toBe('hit')
  expect(await res.json()).toEqual({ cached: true })
  expect(res.attempts).toBe(0)
  expect(after).toEqual([203])
  expect(server.arrivals).toHaveLength(0)
  expect(server.connections.total).toBe(0)
})

it('async hooks are awaited in order', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  const calls: string[] = []
  await using client = new Client({
    hooks: {
      beforeRequest: [
        async () => {
          await new Promise((r) => setTimeout(r, 30))
          calls.push('slow')
        },
        () => {
          calls.push('fast')
        },
      ],
    },
  })
  await client.get(server.url)
  expect(calls).toEqual(['slow', 'fast'])
})
