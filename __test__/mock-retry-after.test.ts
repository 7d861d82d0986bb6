import { expect, it } from 'vitest'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it("a mocked 503 with Retry-After is retried by the client's policy after the wait", async () => {
  const api = agent().get('https://api.example.com')
  const seen: number[] = []
  api.intercept({ path: '/jobs' }).reply(() => {
    seen.push(Date.now())
    return { status: 503, headers: { 'retry-after': '1' }, body: 'busy' }
  })
  api.intercept({ path: '/jobs' }).reply(() => {
    seen.push(Date.now())
    return { status: 200, body: { done: true } }
  })
  const client = agent().client({ retry: { maxRetries: 2, backoff: { kind: 'none' } } })
  const res = await client.get('https://api.example.com/jobs')
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({ done: true })
  expect(res.attempts).toBe(2)
  // Retry-After: 1 is one second; without it the retry (backoff none) would follow at once.
  expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(950)
  agent().assertNoPendingInterceptors()
})

it('retries stop at maxRetries and the last mocked response is returned', async () => {
  agent()
    .get('https://api.example.com')
    .intercept({ path: '/down' })
    .reply(503, 'still down', { headers: { 'retry-after': '0' } })
    .times(3)
  const client = agent().client({ retry: { maxRetries: 2, backoff: { kind: 'none' } } })
  const res = await client.get('https://api.example.com/down')
  expect(res.status).toBe(503)
  expect(res.attempts).toBe(3)
  expect(await res.text()).toBe('still down')
  agent().assertNoPendingInterceptors()
})
