import { expect, it } from 'vitest'
import { CircuitBreakerOpenError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'

const agent = agentPerTest()

it("mocked 5xx replies open the origin's circuit breaker; unmatched requests do not count", async () => {
  const api = agent().get('https://api.example.com')
  api.intercept({ path: '/fail' }).reply(500, 'boom').persist()
  const client = agent().client({
    retry: false,
    circuitBreaker: { failureThreshold: 2, recoveryTimeout: 60_000 },
  })
  const fail = () => client.get('https://api.example.com/fail')
  expect((await fail()).status).toBe(500)
  // Refusals of the mock itself say nothing about the origin's health: they neither count as
  // failures nor, as a success would, reset the run of consecutive failures.
  for (let i = 0; i < 3; i++) await rejectionOf(client.get('https://api.example.com/unscripted'))
  expect(client.breakers.state('https://api.example.com')).toBe('closed')
  expect((await fail()).status).toBe(500)
  expect(client.breakers.state('https://api.example.com')).toBe('open')
  const open = await rejectionOf(client.get('https://api.example.com/fail'))
  expect(open).toBeInstanceOf(CircuitBreakerOpenError)
  expect(agent().pendingInterceptors()).toEqual([])
})
