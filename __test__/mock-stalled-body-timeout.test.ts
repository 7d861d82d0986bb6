import { expect, it } from 'vitest'
import { TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it('a mocked body that stalls hits the read timeout in the body phase', async () => {
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/stream' })
    .reply(200, 'first part', { stall: true })
  const client = agent().client({ timeout: { read: 300 } })
  const res = await client.get('https://api.example.com/stream')
  expect(res.status).toBe(200)
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(TimeoutError)
  expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'body' })
})

it('a mocked server that never answers hits the head timeout, retried like a real one', async () => {
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/silent' })
    .replyWithError('ERR_TIMEOUT')
    .times(2)
  const client = agent().client({
    timeout: { read: 200 },
    retry: { maxRetries: 1, backoff: { kind: 'none' } },
  })
  const error = await rejectionOf(client.get('https://api.example.com/silent'))
  expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'headers', attempts: 2 })
  agent().assertNoPendingInterceptors()
})

it('delay() holds the head back, so a shorter read timeout fires first', async () => {
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/slow' })
    .reply(200, 'late')
    .delay(2_000)
  const client = agent().client({ timeout: { read: 200 }, retry: false })
  const error = await rejectionOf(client.get('https://api.example.com/slow'))
  expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'headers' })
})
