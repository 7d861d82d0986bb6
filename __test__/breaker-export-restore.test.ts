import { afterEach, expect, it } from 'vitest'
import { CircuitBreakerOpenError, Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { ManualClock } from './helpers/clock.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

function clientOn(clock: ManualClock) {
  return new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 2, recoveryTimeout: 10_000, now: clock.now },
  })
}

it('an exported open breaker, restored into another client, refuses without touching the network', async () => {
  const clock = new ManualClock()
  const server = await startFlakyServer((res) => answer(res, 500))
  await using first = clientOn(clock)
  await first.get(server.url)
  await first.get(server.url)
  const saved = JSON.stringify(first.breakers.export())
  const snapshot = JSON.parse(saved)
  expect(snapshot.version).toBe(1)
  expect(snapshot.origins[server.url]).toMatchObject({
    state: 'open',
    openedAt: clock.now(),
    consecutiveFailures: 2,
  })

  await using second = clientOn(clock)
  const changes: string[] = []
  second.breakers.addEventListener('statechange', (e) => changes.push(`${e.from}->${e.to}`))
  second.breakers.restore(snapshot)
  expect(changes).toEqual(['closed->open'])
  expect(second.breakers.state(server.url)).toBe('open')
  clock.advance(3_000)
  const error = (await rejectionOf(second.get(server.url))) as CircuitBreakerOpenError
  expect(error).toBeInstanceOf(CircuitBreakerOpenError)
  expect(error.retryAfter).toBe(7_000)
  expect(server.arrivals).toHaveLength(2)
  clock.advance(7_000)
  expect(second.breakers.state(server.url)).toBe('half-open')
})

it('a consecutive-failure count survives the round trip', async () => {
  const clock = new ManualClock()
  const server = await startFlakyServer((res) => answer(res, 500))
  await using first = clientOn(clock)
  await first.get(server.url)
  await using second = clientOn(clock)
  second.breakers.restore(first.breakers.export())
  expect(second.breakers.state(server.url)).toBe('closed')
  await second.get(server.url)
  expect(second.breakers.state(server.url)).toBe('open')
})

it('healthy origins are left out of the export', async () => {
  const server = await startFlakyServer((res) => answer(res, 200))
  await using client = new Client()
  await client.get(server.url)
  expect(client.breakers.export()).toEqual({ version: 1, origins: {} })
})

it('a malformed snapshot is refused with an error naming the bad field, and changes nothing', () => {
  const client = new Client()
  const bad = {
    version: 1,
    origins: {
      'http://a.test': {
        state: 'open',
        openedAt: 1,
        consecutiveFailures: 0,
        halfOpenSuccesses: 0,
        window: [],
      },
      'http://b.test': {
        state: 'ajar',
        openedAt: 1,
        consecutiveFailures: 0,
        halfOpenSuccesses: 0,
        window: [],
      },
    },
  }
  const error = (() => {
    try {
      client.breakers.restore(bad as never)
    } catch (e) {
      return e
    }
  })()
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect((error as Error).message).toContain('snapshot.origins["http://b.test"].state')
  expect(client.breakers.state('http://a.test')).toBe('closed')
  expect(() => client.breakers.restore({ version: 2 } as never)).toThrow(InvalidArgumentError)
  expect(() => client.breakers.state('not a url')).toThrow(InvalidArgumentError)
})
