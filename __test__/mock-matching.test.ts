import { expect, it } from 'vitest'
import { MockNotMatchedError } from '../dist/esm/testing.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('an interceptor answers only the method, path, query, headers and body it matches', async () => {
  const api = agent().get('https://api.example.com')
  api
    .intercept({
      method: 'POST',
      path: '/users',
      query: { team: 'core', page: 2 },
      headers: { authorization: /^Bearer /, 'X-Trace': (v) => v.startsWith('t-') },
      body: (text) => JSON.parse(text).name === 'Ada',
    })
    .reply(201, { id: 7 }, { headers: { location: '/users/7' } })
    .persist()
  const client = agent().client({ baseUrl: 'https://api.example.com', retry: false })
  const send = (over: { method?: string; path?: string; auth?: string; name?: string }) =>
    client.request({
      method: over.method ?? 'POST',
      url: over.path ?? '/users?page=2&team=core',
      headers: { authorization: over.auth ?? 'Bearer x', 'x-trace': 't-1' },
      json: { name: over.name ?? 'Ada' },
    })

  const created = await send({})
  expect(created.status).toBe(201)
  expect(created.headers.get('location')).toBe('/users/7')
  expect(created.headers.get('content-type')).toBe('application/json')
  expect(await created.json()).toEqual({ id: 7 })

  for (const miss of [
    { method: 'PUT' },
    { path: '/users?page=3&team=core' },
    { path: '/users?page=2&team=core&extra=1' },
    { path: '/people?page=2&team=core' },
    { auth: 'Basic x' },
    { name: 'Grace' },
  ]) {
    const error = await rejectionOf(send(miss))
    expect(error).toBeInstanceOf(MockNotMatchedError)
    expect(error).toMatchObject({ code: 'ERR_MOCK_NOT_MATCHED' })
    expect((error as Error).message).toContain('no mock interceptor matched')
  }
})

it('path matchers: a string without a query ignores it, a RegExp and a function see it', async () => {
  const api = agent().get('http://svc.test:8080')
  api.intercept({ path: '/plain' }).reply(200, 'plain')
  api.intercept({ path: /^\/re\/\d+\?v=1$/ }).reply(200, 'regexp')
  api.intercept({ path: (p) => p.endsWith('?fn') }).reply(200, 'function')
  const client = agent().client({ retry: false })
  expect(await (await client.get('http://svc.test:8080/plain?ignored=1')).text()).toBe('plain')
  expect(await (await client.get('http://svc.test:8080/re/42?v=1')).text()).toBe('regexp')
  expect(await (await client.get('http://svc.test:8080/any?fn')).text()).toBe('function')
  agent().assertNoPendingInterceptors()
})

it('a reply function computes the reply from the request', async () => {
  agent()
    .get('https://echo.test')
    .intercept({ method: 'PUT', path: /^\/items\// })
    .reply(async (req) => ({
      status: 200,
      headers: { 'x-method': req.method },
      body: {
        origin: req.origin,
        path: req.path,
        body: req.body,
        type: req.headers['content-type'],
      },
    }))
  const client = agent().client()
  const res = await client.put('https://echo.test/items/1?x=y', { body: 'payload' })
  expect(res.headers.get('x-method')).toBe('PUT')
  expect(await res.json()).toEqual({
    origin: 'https://echo.test',
    path: '/items/1?x=y',
    body: 'payload',
    type: 'text/plain;charset=UTF-8',
  })
})
