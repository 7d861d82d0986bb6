import { afterEach, describe, expect, it } from 'vitest'
import { Client, Response as HyperResponse } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function echoServer() {
  return startRecordingServer((req, res) => {
    res.setHeader('x-method', req.method)
    res.end(req.method === 'HEAD' ? undefined : `${req.method} ${req.body.toString()}`)
  })
}

describe('Client verb shortcuts', () => {
  it('get, delete and options send no body', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    expect(await (await client.get('/')).text()).toBe('GET ')
    expect(await (await client.delete('/')).text()).toBe('DELETE ')
    expect(await (await client.options('/')).text()).toBe('OPTIONS ')
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'DELETE', 'OPTIONS'])
  })

  it('post, put and patch send their body', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    expect(await (await client.post('/', { body: 'p' })).text()).toBe('POST p')
    expect(await (await client.put('/', { body: 'u' })).text()).toBe('PUT u')
    expect(await (await client.patch('/', { body: 'a' })).text()).toBe('PATCH a')
  })

  it('head returns the headers and a null body', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    const res = await client.head('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-method')).toBe('HEAD')
    expect(res.body).toBeNull()
  })

  it('request takes the method and url in one object', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    const res = await client.request({ url: '/r', method: 'PUT', body: 'via request' })
    expect(res).toBeInstanceOf(HyperResponse)
    expect(await res.text()).toBe('PUT via request')
    expect(server.requests[0]?.url).toBe('/r')
  })

  it('request defaults to GET', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    await client.request({ url: '/' })
    expect(server.requests[0]?.method).toBe('GET')
  })

  it('resolves non-2xx statuses instead of rejecting', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.statusCode = 404
      res.end('missing')
    })
    await using client = new Client({ baseUrl: server.url })
    const res = await client.get('/')
    expect(res.status).toBe(404)
    expect(res.ok).toBe(false)
    expect(await res.text()).toBe('missing')
  })
})

describe('json option', () => {
  it('serializes the value and sets content-type application/json', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    const value = { name: 'hyper', list: [1, 'two', null], nested: { ok: true } }
    await client.post('/', { json: value })
    const seen = server.requests[0]
    expect(seen?.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(seen?.body.toString() ?? '')).toEqual(value)
  })

  it('works with every body-carrying verb', async () => {
    const server = await echoServer()
    await using client = new Client({ baseUrl: server.url })
    await client.put('/', { json: [1] })
    await client.patch('/', { json: 'text' })
    await client.request({ url: '/', method: 'POST', json: 0 })
    expect(server.requests.map((r) => r.body.toString())).toEqual(['[1]', '"text"', '0'])
  })
})
