import { expect, it } from 'vitest'
import { ConnectError, ProtocolError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('replyWithError produces each code through the real engine paths', async () => {
  const api = agent().get('https://api.example.com')
  api.intercept({ path: '/closed' }).replyWithError('ERR_CONNECTION_CLOSED')
  api.intercept({ path: '/garbage' }).replyWithError('ERR_PROTOCOL')
  api.intercept({ path: '/huge-head' }).replyWithError('ERR_HEADERS_TOO_LARGE')
  api.intercept({ path: '/bad-gzip' }).replyWithError('ERR_DECODE')
  const client = agent().client({ retry: false })
  const get = (path: string) => client.get(`https://api.example.com${path}`)

  const closed = await rejectionOf(get('/closed'))
  expect(closed).toBeInstanceOf(ConnectError)
  expect(closed).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
  const garbage = await rejectionOf(get('/garbage'))
  expect(garbage).toBeInstanceOf(ProtocolError)
  expect(garbage).toMatchObject({ code: 'ERR_PROTOCOL' })
  expect(await rejectionOf(get('/huge-head'))).toMatchObject({ code: 'ERR_HEADERS_TOO_LARGE' })
  const decoded = await get('/bad-gzip')
    .then((res) => res.text())
    .then(
      () => null,
      (error: unknown) => error,
    )
  expect(decoded).toMatchObject({ code: 'ERR_DECODE' })
  agent().assertNoPendingInterceptors()
})

it('a connection closed before any response byte is retried for an idempotent request', async () => {
  const api = agent().get('https://api.example.com')
  api.intercept({ path: '/flaky' }).replyWithError('ERR_CONNECTION_CLOSED').times(2)
  api.intercept({ path: '/flaky' }).reply(200, 'recovered')
  const client = agent().client({ retry: { maxRetries: 3, backoff: { kind: 'none' } } })
  const res = await client.get('https://api.example.com/flaky')
  expect(await res.text()).toBe('recovered')
  agent().assertNoPendingInterceptors()
})

it('replyWithError refuses codes that cannot happen on a connection', () => {
  const interceptor = agent().get('https://api.example.com').intercept({ path: '/' })
  expect(() => interceptor.replyWithError('ERR_CONNECT' as 'ERR_PROTOCOL')).toThrow(/failConnect/)
})
