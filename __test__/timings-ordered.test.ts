import { performance } from 'node:perf_hooks'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const HEAD_DELAY = 300
const BODY_DELAY = 300

it('timings are ordered and plausible against a server that delays on purpose', async () => {
  const server = await startHttpServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first ')
      setTimeout(() => res.end('last'), BODY_DELAY)
    }, HEAD_DELAY)
  })
  await using client = new Client()
  const before = performance.now()
  const res = await client.get(server.url)
  const timings = res.timings
  if (timings === undefined) throw new Error('a response from the engine has timings')
  expect(timings.end).toBeUndefined()
  expect(await res.text()).toBe('first last')
  const after = performance.now()

  const { queued, connect, sent, firstByte, end } = timings
  if ([queued, connect, sent, firstByte, end].some((mark) => mark === undefined)) {
    throw new Error(`a mark is missing: ${JSON.stringify(timings)}`)
  }
  const marks = [0, queued, connect, sent, firstByte, end] as number[]
  expect(marks).toEqual([...marks].sort((a, b) => a - b))
  // The gaps the server made on purpose show where they belong, and nowhere else.
  expect((firstByte as number) - (sent as number)).toBeGreaterThanOrEqual(HEAD_DELAY - 50)
  expect((end as number) - (firstByte as number)).toBeGreaterThanOrEqual(BODY_DELAY - 50)
  expect(sent as number).toBeLessThan(HEAD_DELAY - 50)
  // The start lies on the performance.now() timeline, within the call.
  expect(timings.startTime).toBeGreaterThanOrEqual(before - 1)
  expect(timings.startTime + (end as number)).toBeLessThanOrEqual(after + 1)

  expect(timings.dns).toBeUndefined() // an IP address is not resolved
  expect(timings.tls).toBeUndefined()
  expect(timings.reused).toBe(false)
  expect(timings.protocol).toBe('h1')
  expect(timings.attempts).toBe(1)
  expect(timings.redirects).toBe(0)
})
