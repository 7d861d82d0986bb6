import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, expect, it } from 'vitest'
import { Client, type ClientOptions, type RequestCreateMessage } from '../dist/esm/index.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll } from './helpers/servers.js'

const NAMES = ['undici:request:create', 'undici:request:headers', 'undici:request:trailers']

afterEach(closeAll)

/**
 * Sends one GET that the server fails twice with 503, with a subscriber adding a header on
 * `create`; returns the undici messages published and the header each attempt carried.
 */
async function retried(hooks: ClientOptions['hooks']): Promise<[string[], unknown[]]> {
  const server = await startFlakyServer((res, index) =>
    index < 2 ? answer(res, 503) : answer(res, 200),
  )
  const published: string[] = []
  const listeners = NAMES.map((name) => [name, () => published.push(name.slice(15))] as const)
  const addOnCreate = (message: unknown) =>
    (message as RequestCreateMessage).request.addHeader('traceparent', 'from-subscriber')
  subscribe('undici:request:create', addOnCreate)
  for (const [name, listener] of listeners) subscribe(name, listener)
  try {
    await using client = new Client({
      retry: { maxRetries: 3, backoff: { kind: 'none' } },
      ...(hooks === undefined ? {} : { hooks }),
    })
    const res = await client.get(server.url)
    expect(res.attempts).toBe(3)
    await res.text()
  } finally {
    unsubscribe('undici:request:create', addOnCreate)
    for (const [name, listener] of listeners) unsubscribe(name, listener)
  }
  return [published, server.arrivals.map((arrival) => arrival.headers.traceparent)]
}

it('engine retries: one logical request, the added header on every attempt', async () => {
  const [published, traceparents] = await retried(undefined)
  expect(published).toEqual(['create', 'headers', 'trailers'])
  expect(traceparents).toEqual(['from-subscriber', 'from-subscriber', 'from-subscriber'])
})

it('a beforeRetry hook rebuilding the request keeps the added header', async () => {
  const hooks = { beforeRetry: [() => {}] }
  const [published, traceparents] = await retried(hooks)
  expect(published).toEqual(['create', 'headers', 'trailers'])
  expect(traceparents).toEqual(['from-subscriber', 'from-subscriber', 'from-subscriber'])
})
