import { afterEach, describe, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

describe('fetch accepts every input form', () => {
  it('takes a string URL', async () => {
    const server = await startRecordingServer()
    const res = await fetch(`${server.url}/string?a=1`)
    expect(await res.text()).toBe('ok')
    expect(server.requests[0]?.url).toBe('/string?a=1')
  })

  it('takes a URL object', async () => {
    const server = await startRecordingServer()
    const res = await fetch(new URL('/url-object?b=2', server.url))
    expect(res.status).toBe(200)
    expect(server.requests[0]?.url).toBe('/url-object?b=2')
  })

  it('takes a Request with its method, headers and body', async () => {
    const server = await startRecordingServer()
    const request = new Request(`${server.url}/request`, {
      method: 'PUT',
      headers: { 'x-from-request': 'yes' },
      body: 'request body',
    })
    await fetch(request)
    const seen = server.requests[0]
    expect(seen?.method).toBe('PUT')
    expect(seen?.url).toBe('/request')
    expect(seen?.headers['x-from-request']).toBe('yes')
    expect(seen?.body.toString()).toBe('request body')
  })

  it('lets init override the method and headers of a Request', async () => {
    const server = await startRecordingServer()
    const request = new Request(`${server.url}/override`, {
      method: 'POST',
      headers: { 'x-a': 'from-request' },
    })
    await fetch(request, { method: 'PATCH', headers: { 'x-a': 'from-init' }, body: 'patched' })
    const seen = server.requests[0]
    expect(seen?.method).toBe('PATCH')
    expect(seen?.headers['x-a']).toBe('from-init')
    expect(seen?.body.toString()).toBe('patched')
  })
})

describe('fetch sends every method', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('%s', async (method) => {
    const server = await startRecordingServer()
    const res = await fetch(server.url, { method })
    expect(res.status).toBe(200)
    expect(server.requests[0]?.method).toBe(method)
  })

  it('HEAD gets no body', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.setHeader('content-length', '5')
      res.end()
    })
    const res = await fetch(server.url, { method: 'HEAD' })
    expect(server.requests[0]?.method).toBe('HEAD')
    expect(res.headers.get('content-length')).toBe('5')
    expect(res.body).toBeNull()
    expect(await res.text()).toBe('')
  })

  it('normalizes lower-case standard methods to upper case', async () => {
    const server = await startRecordingServer()
    await fetch(server.url, { method: 'post', body: 'x' })
    expect(server.requests[0]?.method).toBe('POST')
  })
})
