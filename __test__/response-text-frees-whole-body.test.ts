import { randomBytes } from 'node:crypto'
import { PerformanceObserver } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const MB = 1_000_000
/** A JSON string of 1 MB: large enough to be read whole, small enough to decode into V8's heap. */
const BODY = Buffer.from(JSON.stringify(randomBytes(MB / 2 - 1).toString('hex')))
const REQUESTS = 16
/** Requests that must run without any collection (one would free their bodies anyway). */
const UNDISTURBED = 4

it('text() and json() free a large body read whole as soon as it is decoded', async () => {
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-length': BODY.length, 'content-type': 'application/json' })
    res.end(BODY)
  })
  await using client = new Client({ decompress: false })
  const expected = BODY.toString()
  const parsed = JSON.parse(expected)
  let collections = 0
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length
  })
  observer.observe({ entryTypes: ['gc'] })
  const grown: number[] = []
  try {
    for (let i = 0; i < REQUESTS; i++) {
      const res = await client.get(server.url)
      // Collection entries arrive asynchronously: let those of earlier work arrive first.
      await sleep(10)
      const seen = collections
      const before = process.memoryUsage().external
      if (i % 2 === 0) expect(await res.text()).toBe(expected)
      else expect(await res.json()).toBe(parsed)
      const after = process.memoryUsage().external
      await sleep(10)
      if (collections === seen) grown.push(after - before)
    }
  } finally {
    observer.disconnect()
  }

  expect(grown.length, 'requests that ran without a collection').toBeGreaterThanOrEqual(UNDISTURBED)
  // Left to the collector, each body would still count as external memory here.
  for (const bytes of grown) expect(bytes).toBeLessThan(BODY.length / 4)
}, 30_000)
