import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError, Response } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('afterResponse can replace the response, for example by retrying with a fresh token', async () => {
  const server = await startFlakyServer((res, _i, arrival) => {
    const authorized = arrival.headers.authorization === 'Bearer fresh'
    res.writeHead(authorized ? 200 : 401)
    res.end(authorized ? 'secret' : 'who are you?')
  })
  let token = 'stale'
  const client: Client = new Client({
    hooks: {
      beforeRequest: [(request) => void request.headers.set('authorization', `Bearer ${token}`)],
      afterResponse: [
        async (response, request) => {
          if (response.status !== 401 || token === 'fresh') return
          token = 'fresh'
          return client.get(request.url)
        },
      ],
    },
  })
  await using _ = client
  const res = await client.get(server.url)
  expect(res).toBeInstanceOf(Response)
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('secret')
  expect(server.arrivals.map((a) => a.headers.authorization)).toEqual([
    'Bearer stale',
    'Bearer fresh',
  ])
})

it('a platform Response returned by afterResponse is turned into a hyperhttp Response', async () => {
  const server = await startFlakyServer((res) => {
    res.writeHead(500)
    res.end('boom')
  })
  await using client = new Client({
    retry: false,
    hooks: {
      afterResponse: [
        (response) =>
          response.status >= 500
            ? new globalThis.Response('fallback', { status: 200, statusText: 'From Cache' })
            : undefined,
      ],
    },
  })
  const res = await client.get(server.url)
  expect(res).toBeInstanceOf(Response)
  expect(res.status).toBe(200)
  expect(res.statusText).toBe('From Cache')
  expect(res.url).toBe(`${server.url}/`)
  expect(await res.text()).toBe('fallback')
})

it('later afterResponse hooks see the replacement', async () => {
  const server = await startFlakyServer((res) => {
    res.writeHead(200)
    res.end('original')
  })
  const seen: string[] = []
  await using client = new Client({
    hooks: {
      afterResponse: [
        () => new globalThis.Response('replaced'),
        async (response) => void seen.push(await response.clone().text()),
      ],
    },
  })
  expect(await (await client.get(server.url)).text()).toBe('replaced')
  expect(seen).toEqual(['replaced'])
})

it('an afterResponse hook returning something else fails the request with InvalidArgumentError', async () => {
  const server = await startFlakyServer((res) => res.end('ok'))
  await using client = new Client({ hooks: { afterResponse: [() => 42 as never] } })
  const error = await rejectionOf(client.get(server.url))
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as Error).message).toContain('afterResponse')
})
