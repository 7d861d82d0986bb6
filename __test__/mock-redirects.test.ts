import { expect, it } from 'vitest'
import { RedirectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('redirects between mocked origins are followed by the engine, with its header rules', async () => {
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/old' })
    .reply(301, '', { headers: { location: 'https://api.example.com/new' } })
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/new', headers: { authorization: 'Bearer t' } })
    .reply(302, '', { headers: { location: 'http://cdn.example.net/file' } })
  const cdn = agent().get('http://cdn.example.net')
  cdn
    .intercept({ path: '/file' })
    .reply((req) => ({ status: 200, body: { authorization: req.headers.authorization ?? null } }))
  const client = agent().client()
  const res = await client.get('https://api.example.com/old', {
    headers: { authorization: 'Bearer t' },
  })
  expect(res.url).toBe('http://cdn.example.net/file')
  expect(res.redirected).toBe(true)
  // Same origin kept the credentials; crossing origins dropped them.
  expect(await res.json()).toEqual({ authorization: null })
  agent().assertNoPendingInterceptors()
})

it('a mocked redirect loop ends at maxRedirects', async () => {
  agent()
    .get('https://loop.example')
    .intercept({ path: '/a' })
    .reply(302, '', { headers: { location: '/a' } })
    .persist()
  const client = agent().client({ maxRedirects: 3 })
  const error = await rejectionOf(client.get('https://loop.example/a'))
  expect(error).toBeInstanceOf(RedirectError)
})
