import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import {
  closeBackpressureServers,
  MB,
  sleep,
  startBackpressureServer,
} from './helpers/backpressure.js'

afterEach(closeBackpressureServers)

for (const protocol of ['HTTP/1.1', 'HTTP/2'] as const) {
  it(`an endless ${protocol} body that is never read fills the buffers once and memory stays flat`, async () => {
    const { url, stats } = await startBackpressureServer(Number.POSITIVE_INFINITY, {
      http2: protocol === 'HTTP/2',
    })
    await using client = new Client({
      http2PriorKnowledge: protocol === 'HTTP/2',
      timeout: { read: 60_000 },
    })
    const rssBefore = process.memoryUsage().rss

    const res = await client.get(url)
    expect(res.status).toBe(200)
    await sleep(1_000)
    const writtenAfterOneSecond = stats.written
    let peakRss = 0
    for (let second = 0; second < 3; second += 1) {
      await sleep(1_000)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }

    // The server filled what the connection and the client buffer, then was held back (4.3 MB
    // over HTTP/1.1, 2.2 MB over HTTP/2 here; RSS +2.5 and +3 MB).
    expect(stats.blocked).toBeGreaterThan(0)
    expect(stats.written).toBe(writtenAfterOneSecond)
    expect(stats.written).toBeLessThan(20 * MB)
    expect(peakRss - rssBefore).toBeLessThan(40 * MB)
    await res.body?.cancel()
  })
}
