import type http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { CircuitBreakerOpenError, Client } from '../dist/esm/index.js'
import { rejectionOf, until } from './helpers/async.js'
import { ManualClock } from './helpers/clock.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** A server that fails while `sick`, and holds its answers while `held` until released. */
async function startControlledServer() {
  const control = { sick: true, held: false, waiting: [] as http.ServerResponse[] }
  const server = await startFlakyServer((res) => {
    if (control.held) control.waiting.push(res)
    else answer(res, control.sick ? 500 : 200)
  })
  const release = () => {
    for (const res of control.waiting.splice(0)) answer(res, control.sick ? 500 : 200)
  }
  return { server, control, release }
}

function clientWith(clock: ManualClock, extra: Record<string, number> = {}) {
  return new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 2, recoveryTimeout: 5_000, now: clock.now, ...extra },
  })
}

it('after the recovery timeout the breaker turns half-open and one successful probe closes it', async () => {
  const clock = new ManualClock()
  const { server, control, release } = await startControlledServer()
  await using client = clientWith(clock)
  await client.get(server.url)
  await client.get(server.url)
  expect(client.breakers.state(server.url)).toBe('open')
  clock.advance(4_999)
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(CircuitBreakerOpenError)
  expect(server.arrivals).toHaveLength(2)

  clock.advance(1)
  expect(client.breakers.state(server.url)).toBe('half-open')
  control.sick = false
  control.held = true
  const probe = client.get(server.url)
  await until(() => control.waiting.length === 1)
  // The one probe allowed is in flight: others are refused, with nothing to wait for.
  const refused = (await rejectionOf(client.get(server.url))) as CircuitBreakerOpenError
  expect(refused).toBeInstanceOf(CircuitBreakerOpenError)
  expect(refused.retryAfter).toBe(0)
  expect(refused.message).toContain('half-open')
  control.held = false
  release()
  expect((await probe).status).toBe(200)
  expect(client.breakers.state(server.url)).toBe('closed')
  expect((await client.get(server.url)).status).toBe(200)
  expect(server.arrivals).toHaveLength(4)
})

it('a failed probe opens the breaker again for a whole recovery timeout', async () => {
  const clock = new ManualClock()
  const { server } = await startControlledServer()
  await using client = clientWith(clock)
  await client.get(server.url)
  await client.get(server.url)
  clock.advance(5_000)
  expect((await client.get(server.url)).status).toBe(500)
  expect(client.breakers.state(server.url)).toBe('open')
  const error = (await rejectionOf(client.get(server.url))) as CircuitBreakerOpenError
  expect(error.retryAfter).toBe(5_000)
  expect(server.arrivals).toHaveLength(3)
})

it('halfOpenMaxProbes lets several probes through, successThreshold needs that many successes', async () => {
  const clock = new ManualClock()
  const { server, control, release } = await startControlledServer()
  await using client = clientWith(clock, { halfOpenMaxProbes: 2, successThreshold: 3 })
  await client.get(server.url)
  await client.get(server.url)
  clock.advance(5_000)
  control.sick = false
  control.held = true
  const probes = [client.get(server.url), client.get(server.url)]
  await until(() => control.waiting.length === 2)
  expect(await rejectionOf(client.get(server.url))).toBeInstanceOf(CircuitBreakerOpenError)
  control.held = false
  release()
  await Promise.all(probes)
  expect(client.breakers.state(server.url)).toBe('half-open')
  await client.get(server.url)
  expect(client.breakers.state(server.url)).toBe('closed')
})

it('an aborted probe frees its slot without deciding anything', async () => {
  const clock = new ManualClock()
  const { server, control } = await startControlledServer()
  await using client = clientWith(clock)
  await client.get(server.url)
  await client.get(server.url)
  clock.advance(5_000)
  control.held = true
  const controller = new AbortController()
  const probe = client.get(server.url, { signal: controller.signal })
  await until(() => control.waiting.length === 1)
  controller.abort()
  await rejectionOf(probe)
  expect(client.breakers.state(server.url)).toBe('half-open')
  control.held = false
  control.sick = false
  expect((await client.get(server.url)).status).toBe(200)
  expect(client.breakers.state(server.url)).toBe('closed')
})
