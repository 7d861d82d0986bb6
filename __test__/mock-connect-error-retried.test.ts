import { expect, it } from 'vitest'
import { ConnectError, InvalidArgumentError, TlsError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('a scripted ERR_CONNECT is retried by the engine, and the next connect is served', async () => {
  const api = agent().get('https://api.example.com')
  api.failConnect('ERR_CONNECT', { times: 2 })
  api.intercept({ path: '/users' }).reply(200, [])
  const client = agent().client({ retry: { maxRetries: 3, backoff: { kind: 'none' } } })
  const res = await client.get('https://api.example.com/users')
  expect(res.status).toBe(200)
  expect(res.attempts).toBe(3)
  agent().assertNoPendingInterceptors()
})

it('the injected error carries its code and phase, and non-retried kinds fail at once', async () => {
  const api = agent().get('https://expired.example')
  api.failConnect('ERR_TLS_CERT_EXPIRED', {
    times: Number.POSITIVE_INFINITY,
    message: 'cert expired',
  })
  const client = agent().client({ retry: { maxRetries: 3, backoff: { kind: 'none' } } })
  const error = await rejectionOf(client.get('https://expired.example/'))
  expect(error).toBeInstanceOf(TlsError)
  expect(error).toMatchObject({
    code: 'ERR_TLS_CERT_EXPIRED',
    attempts: 1,
    message: 'cert expired',
  })

  agent().get('https://gone.example').failConnect('ERR_DNS', { times: Number.POSITIVE_INFINITY })
  const dns = await rejectionOf(client.get('https://gone.example/'))
  expect(dns).toBeInstanceOf(ConnectError)
  expect(dns).toMatchObject({ code: 'ERR_DNS', attempts: 4 })
})

it('an unknown error code is refused when scripted', () => {
  expect(() => agent().get('https://api.example.com').failConnect('ERR_NOPE')).toThrow(
    InvalidArgumentError,
  )
})
