import { readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string }

it('sends hyperhttp/<version> by default', async () => {
  const server = await startRecordingServer()
  await using client = new Client()
  await client.get(server.url)
  expect(server.requests[0]?.headers['user-agent']).toBe(`hyperhttp/${version}`)
})

it('sends the userAgent option instead, unless a request sets its own', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ baseUrl: server.url, userAgent: 'my-service/2.1 (+bot)' })
  await client.get('/')
  await client.get('/', { headers: { 'User-Agent': 'per-request/1' } })
  expect(server.requests.map((r) => r.headers['user-agent'])).toEqual([
    'my-service/2.1 (+bot)',
    'per-request/1',
  ])
})

it.each([
  ['an empty string', ''],
  ['a line break', 'a\r\nx-injected: 1'],
  ['non-ASCII text', 'agent/ü'],
  ['a number', 1],
])('refuses %s with InvalidArgumentError naming userAgent', (_what, userAgent) => {
  expect(() => new Client({ userAgent: userAgent as string })).toThrow(InvalidArgumentError)
  expect(() => new Client({ userAgent: userAgent as string })).toThrow(/^userAgent must be/)
})
