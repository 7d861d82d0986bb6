import { afterEach, expect, it } from 'vitest'
import { fetch, Response as HyperResponse } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('reports status, statusText, ok, url, redirected and type', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.statusCode = 201
    res.end()
  })
  const res = await fetch(`${server.url}/created?x=1`)
  expect(res).toBeInstanceOf(HyperResponse)
  expect(res.status).toBe(201)
  expect(res.statusText).toBe('Created')
  expect(res.ok).toBe(true)
  expect(res.url).toBe(`${server.url}/created?x=1`)
  expect(res.redirected).toBe(false)
  expect(res.type).toBe('basic')
})

it("statusText is the server's reason phrase, as the platform fetch reports it", async () => {
  const server = await startRecordingServer((_req, res) => {
    res.statusCode = 201
    res.statusMessage = 'Made It'
    res.end()
  })
  const res = await fetch(server.url)
  expect(res.statusText).toBe('Made It')
})

it('resolves non-2xx statuses with ok false', async () => {
  const server = await startRecordingServer((req, res) => {
    res.statusCode = Number(req.url?.slice(1))
    res.end('status body')
  })
  for (const status of [404, 500, 503]) {
    const res = await fetch(`${server.url}/${status}`)
    expect(res.status).toBe(status)
    expect(res.ok).toBe(false)
    expect(await res.text()).toBe('status body')
  }
})

it('normalizes the url of an origin to end with a slash', async () => {
  const server = await startRecordingServer()
  const res = await fetch(server.url)
  expect(res.url).toBe(`${server.url}/`)
})
