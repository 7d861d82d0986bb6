import { afterEach, expect, it } from 'vitest'
import { CircuitBreakerOpenError, Client } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { ManualClock } from './helpers/clock.js'
import { startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** `/ok` answers 200, anything else 500. */
async function startPathServer() {
  return startFlakyServer((res, _index, arrival) => {
    res.writeHead(arrival.url === '/ok' ? 200 : 500)
    res.end()
  })
}

function rateClient(clock: ManualClock) {
  return new Client({
    retry: false,
    circuitBreaker: {
      failureThreshold: 100,
      failureRateThreshold: 0.5,
      windowSize: 10_000,
      minimumCalls: 4,
      now: clock.now,
    },
  })
}

it('a failure rate at the threshold over the window opens the breaker once minimumCalls were made', async () => {
  const clock = new ManualClock()
  const server = await startPathServer()
  await using client = rateClient(clock)
  for (const path of ['/ok', '/fail', '/ok']) await client.get(`${server.url}${path}`)
  expect(client.breakers.state(server.url)).toBe('closed')
  await client.get(`${server.url}/fail`) // 2 of 4
  expect(client.breakers.state(server.url)).toBe('open')
  expect(await rejectionOf(client.get(`${server.url}/ok`))).toBeInstanceOf(CircuitBreakerOpenError)
})

it('below minimumCalls even a 100% failure rate does not open it', async () => {
  const clock = new ManualClock()
  const server = await startPathServer()
  await using client = rateClient(clock)
  for (let i = 0; i < 3; i++) await client.get(`${server.url}/fail`)
  expect(client.breakers.state(server.url)).toBe('closed')
})

it('calls older than the window no longer count', async () => {
  const clock = new ManualClock()
  const server = await startPathServer()
  await using client = rateClient(clock)
  for (let i = 0; i < 3; i++) await client.get(`${server.url}/fail`)
  clock.advance(11_000)
  await client.get(`${server.url}/fail`)
  expect(client.breakers.state(server.url)).toBe('closed')
  for (let i = 0; i < 3; i++) await client.get(`${server.url}/fail`)
  expect(client.breakers.state(server.url)).toBe('open')
})

it('a failure rate below the threshold keeps it closed', async () => {
  const clock = new ManualClock()
  const server = await startPathServer()
  await using client = rateClient(clock)
  for (let i = 0; i < 10; i++) {
    await client.get(`${server.url}/ok`)
    await client.get(`${server.url}/ok`)
    await client.get(`${server.url}/fail`)
    clock.advance(500)
  }
  expect(client.breakers.state(server.url)).toBe('closed')
})
