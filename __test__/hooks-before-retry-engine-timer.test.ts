import { createHook } from 'node:async_hooks'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** A backoff no other timer of the test run uses, so its JavaScript timer would be found. */
const BACKOFF = 777

it('with beforeRetry hooks the wait is still an engine timer: no JavaScript timer runs it', async () => {
  const server = await startFlakyServer((res, index) => answer(res, index === 0 ? 503 : 200))
  const calledAfter: number[] = []
  await using client = new Client({
    retry: { backoff: { kind: 'constant', base: BACKOFF } },
    hooks: {
      beforeRetry: [() => void calledAfter.push(performance.now() - server.arrivals[0].at)],
    },
  })
  // Every JavaScript timer created meanwhile (setTimeout, setInterval, timers/promises).
  const delays: number[] = []
  const timers = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'Timeout') delays.push((resource as { _idleTimeout: number })._idleTimeout)
    },
  })
  timers.enable()
  let attempts: number
  try {
    attempts = (await client.get(server.url)).attempts
  } finally {
    timers.disable()
  }
  expect(attempts).toBe(2)
  expect(calledAfter).toHaveLength(1)
  expect(calledAfter[0]).toBeGreaterThanOrEqual(BACKOFF - 10)
  expect(server.intervals()[0]).toBeGreaterThanOrEqual(BACKOFF - 10)
  expect(delays).not.toContain(BACKOFF)
})
