import type http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { until } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('the server never sees more than maxConcurrent requests at once', async () => {
  const server = await startFlakyServer((res) => setTimeout(() => answer(res, 200), 60))
  await using client = new Client({ bulkhead: { maxConcurrent: 2, maxQueue: 10 } })
  const responses = await Promise.all(Array.from({ length: 8 }, () => client.get(server.url)))
  expect(responses.every((r) => r.status === 200)).toBe(true)
  expect(server.arrivals).toHaveLength(8)
  expect(server.inFlight.max).toBe(2)
})

it('queued requests start in arrival order as slots free up', async () => {
  const server = await startFlakyServer((res) => setTimeout(() => answer(res, 200), 20))
  await using client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 10 } })
  const paths = Array.from({ length: 6 }, (_, i) => `/${i}`)
  await Promise.all(paths.map((path) => client.get(`${server.url}${path}`)))
  expect(server.arrivals.map((a) => a.url)).toEqual(paths)
  expect(server.inFlight.max).toBe(1)
})

it('a slot frees as soon as the response head arrives, not when the body is read', async () => {
  const held: http.ServerResponse[] = []
  const server = await startFlakyServer((res, index) => {
    if (index === 0) {
      res.writeHead(200)
      res.write('streaming...')
      held.push(res)
    } else {
      answer(res, 200)
    }
  })
  await using client = new Client({ bulkhead: { maxConcurrent: 1 } })
  const streaming = await client.get(`${server.url}/stream`)
  expect((await client.get(`${server.url}/next`)).status).toBe(200)
  held[0].end()
  expect(await streaming.text()).toBe('streaming...')
})

it('each origin has its own slots', async () => {
  const release: Array<() => void> = []
  const slow = await startFlakyServer((res) => release.push(() => answer(res, 200)))
  const fast = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } })
  const pending = client.get(slow.url)
  await until(() => release.length === 1)
  expect((await client.get(fast.url)).status).toBe(200)
  release[0]()
  expect((await pending).status).toBe(200)
})
