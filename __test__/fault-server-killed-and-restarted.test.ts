import http from 'node:http'
import type net from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { until } from './helpers/async.js'

const servers: http.Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

function listen(server: http.Server, port: number): Promise<number> {
  servers.push(server)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
  })
}

it('a server killed with 200 requests in flight and restarted: each settles typed or correct, GETs are retried, the pool recovers', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)

  // The first server holds every request it gets; the second answers each with its own line.
  const received: string[] = []
  const doomed = http.createServer((req) => received.push(`${req.method} ${req.url}`))
  const port = await listen(doomed, 0)
  const origin = `http://127.0.0.1:${port}`
  await using client = new Client({
    // The breaker would rightly open on this burst of failures; what is checked here is that
    // the requests and the pool recover, so it is off.
    circuitBreaker: false,
    retry: { maxRetries: 20, backoff: { kind: 'constant', base: 100 }, budget: false },
    timeout: { total: 30_000 },
  })

  const requests = Array.from({ length: 200 }, (_, i) => {
    const method = i % 10 === 0 ? 'POST' : 'GET'
    const url = `${origin}/${i}`
    const result = method === 'POST' ? client.post(url, { body: 'once' }) : client.get(url)
    return { method, path: `/${i}`, settled: result.then((res) => res.text()) }
  })
  const allSettled = Promise.allSettled(requests.map((request) => request.settled))
  // The default pool cap (128 connections per origin) lets 128 reach the server; the rest queue.
  await until(() => received.length >= 128)
  doomed.close()
  doomed.closeAllConnections()
  await new Promise((resolve) => setTimeout(resolve, 300))

  const restarted = http.createServer((req, res) => {
    received.push(`${req.method} ${req.url}`)
    req.resume()
    req.on('end', () => res.end(`${req.method} ${req.url}`))
  })
  await listen(restarted, port)

  const outcomes = await allSettled
  outcomes.forEach((outcome, i) => {
    const { method, path } = requests[i]
    if (outcome.status === 'fulfilled') expect(outcome.value).toBe(`${method} ${path}`)
    else expect(outcome.reason).toBeInstanceOf(HyperHttpError)
    // Idempotent requests are retried until the restarted server answers them.
    if (method === 'GET') expect(outcome.status).toBe('fulfilled')
    // A POST is never sent twice.
    expect(received.filter((line) => line === `POST ${path}`).length).toBeLessThanOrEqual(
      method === 'POST' ? 1 : 0,
    )
  })
  // Some POST reached the killed server, so some failed with a typed error.
  expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true)
  // GETs held by the killed server were sent again to the restarted one.
  const resent = requests.filter(
    ({ method, path }) =>
      method === 'GET' && received.filter((line) => line === `GET ${path}`).length === 2,
  )
  expect(resent.length).toBeGreaterThan(0)

  const later = await Promise.all(
    Array.from({ length: 20 }, (_, i) => client.get(`${origin}/later/${i}`).then((r) => r.text())),
  )
  expect(later).toEqual(Array.from({ length: 20 }, (_, i) => `GET /later/${i}`))

  await new Promise((resolve) => setImmediate(resolve))
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
})
