import type { LookupAddress } from 'node:dns'
import { afterEach, expect, it } from 'vitest'
import { Client, type LookupFunction } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('lookup resolves host names, called with { all: true }, either callback shape', async () => {
  const server = await startRecordingServer()
  const asked: Array<[string, unknown]> = []
  const all: LookupFunction = (hostname, options, callback) => {
    asked.push([hostname, options])
    const addresses: LookupAddress[] = [{ address: '127.0.0.1', family: 4 }]
    callback(null, addresses)
  }
  const single: LookupFunction = (_hostname, _options, callback) => callback(null, '127.0.0.1', 4)
  for (const lookup of [all, single]) {
    await using client = new Client({ lookup, retry: false })
    const res = await client.get(`http://api.test:${server.port}/x`)
    expect(await res.text()).toBe('ok')
  }
  expect(asked).toEqual([['api.test', { all: true, family: 0 }]])
  expect(server.requests.map((r) => r.headers.host)).toEqual([
    `api.test:${server.port}`,
    `api.test:${server.port}`,
  ])
})

it('lookup is not called for an IP literal', async () => {
  const server = await startRecordingServer()
  let calls = 0
  await using client = new Client({
    lookup: (_hostname, _options, callback) => {
      calls++
      callback(null, '127.0.0.1', 4)
    },
  })
  expect(await (await client.get(server.url)).text()).toBe('ok')
  expect(calls).toBe(0)
})
