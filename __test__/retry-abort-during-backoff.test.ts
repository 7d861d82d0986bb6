import { afterEach, expect, it } from 'vitest'
import { AbortError, Client } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('an abort during a Retry-After wait rejects at once', async () => {
  const server = await startFlakyServer((res) => answer(res, 503, { 'retry-after': '30' }))
  await using client = new Client()
  const controller = new AbortController()
  const pending = client.get(server.url, { signal: controller.signal })
  while (server.arrivals.length === 0) await new Promise((r) => setTimeout(r, 5))
  await new Promise((r) => setTimeout(r, 100))
  const abortedAt = performance.now()
  controller.abort(new Error('user navigated away'))
  const error = await rejectionOf(pending)
  // Against a 30 s wait: generous for a loaded machine.
  expect(performance.now() - abortedAt).toBeLessThan(2_000)
  expect(error).toBeInstanceOf(AbortError)
  expect((error as AbortError).cause).toEqual(new Error('user navigated away'))
  expect(server.arrivals).toHaveLength(1)
})

it('an abort during a backoff wait rejects at once', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  await using client = new Client({ retry: { backoff: { kind: 'constant', base: 30_000 } } })
  const pending = client.get(server.url, { signal: AbortSignal.timeout(300) })
  const started = performance.now()
  const error = await rejectionOf(pending)
  expect(performance.now() - started).toBeLessThan(1_500)
  expect(error).toBeInstanceOf(AbortError)
  expect(server.arrivals).toHaveLength(1)
})
