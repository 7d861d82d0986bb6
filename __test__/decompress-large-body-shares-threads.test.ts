import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { runNodeScript } from './helpers/child-process.js'
import { encode } from './helpers/compression.js'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startH2cServer } from './helpers/servers.js'
import { byThreadName } from './helpers/threads.js'

afterEach(closeAll)

// A body that decodes to far more than arrived (here 128 KiB of gzip that decode to 128 MiB)
// is decoded by the engine piece by piece without waiting for the network: tens of
// milliseconds of one thread's time. Neither that thread's other work nor another
// connection's waits for all of it.

const MiB = 1024 * 1024
const DECODED = 128 * MiB
const gzipped = encode('gzip', Buffer.alloc(DECODED))

it.runIf(process.platform === 'linux')(
  'HTTP/2: a large body is decoded on the worker threads, not on its lane, and a small request on the same connection is answered meanwhile',
  async () => {
    const server = await startH2cServer((req, res) => {
      if (req.url === '/large') {
        res.setHeader('content-encoding', 'gzip')
        res.end(gzipped)
      } else {
        res.end('small')
      }
    })
    await using client = new Client({ http2PriorKnowledge: true, maxDecodedBodySize: 2 * DECODED })
    const large = await client.get(`${server.url}/large`)
    const before = byThreadName('cpu ticks')
    let decoded = false
    const whole = large.arrayBuffer().then((bytes) => {
      decoded = true
      return bytes
    })
    const small = await client.get(`${server.url}/small`)
    expect(await small.text()).toBe('small')
    expect(decoded).toBe(false)
    expect(Buffer.from(await whole).equals(Buffer.alloc(DECODED))).toBe(true)
    const after = byThreadName('cpu ticks')
    const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0)
    // Here the workers spent 6 ticks (10 ms each) decoding and the lane 0. Before, the lane
    // decoded it, and the small request (and every other HTTP/2 connection on the lane)
    // waited for the whole decode.
    expect(grew('hyperhttp-worke')).toBeGreaterThanOrEqual(3)
    expect(grew('hyperhttp-http2')).toBeLessThan(grew('hyperhttp-worke') / 2)
  },
)

// One worker thread, so the decode and the small request's task share it. The engine reads
// its thread count once, when it starts: a fresh process.
const ONE_WORKER = `
import { createServer } from 'node:http'
import { gzipSync } from 'node:zlib'
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const decoded = ${DECODED}
const gzipped = gzipSync(Buffer.alloc(decoded))
const server = createServer((req, res) => {
  if (req.url === '/large') res.setHeader('content-encoding', 'gzip')
  res.end(req.url === '/large' ? gzipped : 'small')
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = 'http://127.0.0.1:' + server.address().port
const client = new Client({ maxDecodedBodySize: 2 * decoded })
await (await client.get(url + '/small')).text()
const large = await client.get(url + '/large')
let done = false
const whole = large.arrayBuffer().then((bytes) => { done = true; return bytes.byteLength })
const small = await (await client.get(url + '/small')).text()
const smallBeforeLarge = !done
const length = await whole
await client.close()
server.close()
console.log(JSON.stringify({ small, smallBeforeLarge, length }))
`

it('with one worker thread, a small request is answered while a large body decodes on it', async () => {
  const result = await runNodeScript(ONE_WORKER, { HYPERHTTP_WORKER_THREADS: '1' })
  expect(result.stderr).toBe('')
  // The read gives the thread back every 128 pieces (64 KiB each); before it did, the small
  // request waited for the whole decode.
  expect(JSON.parse(result.stdout)).toEqual({
    small: 'small',
    smallBeforeLarge: true,
    length: DECODED,
  })
})
