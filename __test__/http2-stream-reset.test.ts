import http2 from 'node:http2'
import { afterEach, expect, it } from 'vitest'
import { Client, HyperHttpError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants

it('a stream reset with INTERNAL_ERROR fails that request only; the session keeps serving', async () => {
  const server = await startSecureServer((req, res) => {
    if (req.url === '/reset') req.stream.close(NGHTTP2_INTERNAL_ERROR)
    else res.end('fine')
  })
  await using client = new Client({ tls: { ca: caPem() }, timeout: { read: 10_000 } })
  expect(await (await client.get(`${server.url}/before`)).text()).toBe('fine')
  expect(await rejectionOf(client.get(`${server.url}/reset`))).toBeInstanceOf(HyperHttpError)
  expect(await (await client.get(`${server.url}/after`)).text()).toBe('fine')
  expect(server.sessions()).toBe(1)
})

it('a stream refused with REFUSED_STREAM is retried once', async () => {
  let attempts = 0
  const server = await startSecureServer((req, res) => {
    if (req.url !== '/refused-once') return res.end('warm')
    attempts += 1
    if (attempts === 1) req.stream.close(NGHTTP2_REFUSED_STREAM)
    else res.end('second attempt')
  })
  await using client = new Client({ tls: { ca: caPem() }, timeout: { read: 10_000 } })
  await (await client.get(`${server.url}/warm-up`)).text()
  expect(await (await client.get(`${server.url}/refused-once`)).text()).toBe('second attempt')
  expect(attempts).toBe(2)
})

it('a reset in the middle of the body errors the body stream', async () => {
  const server = await startSecureServer((req, res) => {
    res.writeHead(200)
    res.write('partial', () => req.stream.close(NGHTTP2_INTERNAL_ERROR))
  })
  await using client = new Client({ tls: { ca: caPem() }, timeout: { read: 10_000 } })
  const res = await client.get(server.url)
  expect(await rejectionOf(res.text())).toBeInstanceOf(HyperHttpError)
})

it('a graceful GOAWAY lets streams up to the last id finish and resends idempotent ones above it on a new connection', async () => {
  const seen: string[] = []
  let goneAway = false
  const server = await startSecureServer((req, res) => {
    seen.push(req.url ?? '')
    if (goneAway || req.url === '/warm-up') return res.end(`done ${req.url}`)
    if (req.url === '/first') {
      // Hold the first stream until the second has arrived, then go away with the first as
      // the last stream processed: the second was never processed.
      setTimeout(() => {
        goneAway = true
        req.stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, req.stream.id ?? 0)
        res.end('done /first')
      }, 200)
    }
  })
  await using client = new Client({
    tls: { ca: caPem() },
    retry: false,
    timeout: { read: 10_000 },
  })
  await (await client.get(`${server.url}/warm-up`)).text()
  const first = client.get(`${server.url}/first`)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const second = client.get(`${server.url}/second`)
  expect(await (await first).text()).toBe('done /first')
  expect(await (await second).text()).toBe('done /second')
  expect(seen.filter((url) => url === '/second')).toHaveLength(2)
  expect(server.sessions()).toBe(2)
})
