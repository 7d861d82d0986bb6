import { expect, it } from 'vitest'
import { MockNotMatchedError } from '../dist/esm/testing.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('an interceptor answers once by default, n times with times(n), always with persist()', async () => {
  const api = agent().get('https://api.example.com')
  api.intercept({ path: '/once' }).reply(200, 'once')
  api.intercept({ path: '/twice' }).reply(200, 'twice').times(2)
  api.intercept({ path: '/always' }).reply(200, 'always').persist()
  const client = agent().client({ retry: false })
  const get = (path: string) => client.get(`https://api.example.com${path}`)

  expect(await (await get('/once')).text()).toBe('once')
  expect(await rejectionOf(get('/once'))).toBeInstanceOf(MockNotMatchedError)
  expect(await (await get('/twice')).text()).toBe('twice')
  expect(await (await get('/twice')).text()).toBe('twice')
  expect(await rejectionOf(get('/twice'))).toBeInstanceOf(MockNotMatchedError)
  for (let i = 0; i < 5; i++) expect(await (await get('/always')).text()).toBe('always')
  agent().assertNoPendingInterceptors()
})

it('assertNoPendingInterceptors lists what was not used as scripted', async () => {
  const api = agent().get('https://api.example.com')
  api.intercept({ path: '/used' }).reply(200, 'ok')
  api.intercept({ path: '/twice' }).reply(200, 'ok').times(2)
  api.intercept({ method: 'DELETE', path: '/never' }).reply(204)
  api.intercept({ path: '/persisted' }).reply(200, 'ok').persist()
  api.failConnect('ERR_DNS')
  const client = agent().client({ retry: false })
  expect(await rejectionOf(client.get('https://api.example.com/twice'))).toMatchObject({
    code: 'ERR_DNS',
  })
  await (await client.get('https://api.example.com/twice')).text()
  await (await client.get('https://api.example.com/used')).text()

  const pending = [
    'GET https://api.example.com/twice (used 1 of 2 times)',
    'DELETE https://api.example.com/never (used 0 of 1 times)',
    'GET https://api.example.com/persisted (persisted, never used)',
  ]
  expect(agent().pendingInterceptors()).toEqual(pending)
  expect(() => agent().assertNoPendingInterceptors()).toThrow(
    expect.objectContaining({
      code: 'ERR_MOCK_PENDING',
      message: expect.stringContaining(pending.join('\n  ')),
    }),
  )
})
