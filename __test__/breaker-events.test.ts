import { afterEach, expect, it } from 'vitest'
import { CircuitBreakerEvent, Client } from '../dist/esm/index.js'
import { ManualClock } from './helpers/clock.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it("every state change dispatches a 'statechange' event with origin, from and to", async () => {
  const clock = new ManualClock()
  let sick = true
  const server = await startFlakyServer((res) => answer(res, sick ? 500 : 200))
  await using client = new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 1, recoveryTimeout: 1_000, now: clock.now },
  })
  const events: CircuitBreakerEvent[] = []
  client.breakers.addEventListener('statechange', (event) => events.push(event))

  await client.get(server.url)
  clock.advance(1_000)
  await client.get(server.url) // the probe fails
  clock.advance(1_000)
  sick = false
  await client.get(server.url) // the probe succeeds

  expect(events.every((e) => e instanceof CircuitBreakerEvent && e.type === 'statechange')).toBe(
    true,
  )
  expect(events.map((e) => [e.origin, e.from, e.to])).toEqual([
    [server.url, 'closed', 'open'],
    [server.url, 'open', 'half-open'],
    [server.url, 'half-open', 'open'],
    [server.url, 'open', 'half-open'],
    [server.url, 'half-open', 'closed'],
  ])
})

it('reading the state after the recovery timeout reports (and announces) half-open', async () => {
  const clock = new ManualClock()
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 1, recoveryTimeout: 1_000, now: clock.now },
  })
  const seen: string[] = []
  client.breakers.addEventListener('statechange', ({ to }) => seen.push(to))
  await client.get(server.url)
  clock.advance(1_000)
  expect(client.breakers.state(server.url)).toBe('half-open')
  expect(seen).toEqual(['open', 'half-open'])
})

it('listeners can be removed, or added for one event only', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({ retry: false, circuitBreaker: { failureThreshold: 1 } })
  const removed: unknown[] = []
  const once: unknown[] = []
  const listener = (event: CircuitBreakerEvent) => removed.push(event)
  client.breakers.addEventListener('statechange', listener)
  client.breakers.removeEventListener('statechange', listener)
  client.breakers.addEventListener('statechange', (event) => once.push(event), { once: true })
  await client.get(server.url)
  expect(removed).toHaveLength(0)
  expect(once).toHaveLength(1)
})
