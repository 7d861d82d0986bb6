// Every option a Client request can override reaches the engine as that option: request
// options cross as numbers in a fixed order (crates/node README, "Options"), so each test
// picks a behaviour only its own option explains.
import { gzipSync } from 'node:zlib'
import { afterEach, expect, it } from 'vitest'
import { Client, RedirectError, TimeoutError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** `/slow-head` answers after 2 s; `/hop/N` redirects N more times, then answers 200. */
async function server() {
  const seen: string[] = []
  const s = await startHttpServer((req, res) => {
    const url = req.url ?? '/'
    seen.push(`${req.method} ${url}`)
    if (url === '/slow-head') {
      setTimeout(() => res.end('late'), 2_000).unref()
    } else if (url.startsWith('/hop/')) {
      const left = Number(url.slice(5))
      if (left === 0) res.end('arrived')
      else res.writeHead(302, { location: `/hop/${left - 1}` }).end()
    } else if (url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('plain text'))
    } else if (url === '/unavailable') {
      res.writeHead(503, { 'retry-after': '0' }).end()
    } else {
      res.end('ok')
    }
  })
  return { ...s, seen }
}

it('timeout.read and timeout.total of one request end it in their own phase', async () => {
  const s = await server()
  await using client = new Client({ baseUrl: s.url })
  const read = await rejectionOf(client.get('/slow-head', { timeout: { read: 100 } }))
  expect(read).toBeInstanceOf(TimeoutError)
  expect((read as TimeoutError).phase).toBe('headers')
  const total = await rejectionOf(client.get('/slow-head', { timeout: { total: 100 } }))
  expect(total).toBeInstanceOf(TimeoutError)
  expect((total as TimeoutError).phase).toBe('total')
  // The client's own timeouts (30 s read) are untouched: the next request waits for the head.
  expect(await (await client.get('/')).text()).toBe('ok')
})

it('redirect and maxRedirects of one request override the client', async () => {
  const s = await server()
  await using client = new Client({ baseUrl: s.url })
  const manual = await client.get('/hop/1', { redirect: 'manual' })
  expect(manual.status).toBe(302)
  const refused = await rejectionOf(client.get('/hop/1', { redirect: 'error' }))
  expect(refused).toBeInstanceOf(RedirectError)
  const tooMany = await rejectionOf(client.get('/hop/3', { maxRedirects: 2 }))
  expect(tooMany).toBeInstanceOf(RedirectError)
  expect(await (await client.get('/hop/3', { maxRedirects: 3 })).text()).toBe('arrived')
})

it('decompress: false on one request leaves its body encoded', async () => {
  const s = await server()
  await using client = new Client({ baseUrl: s.url })
  const raw = Buffer.from(await (await client.get('/gzip', { decompress: false })).arrayBuffer())
  expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b])
  expect(await (await client.get('/gzip')).text()).toBe('plain text')
})

it('retry.maxRetries and retry.nonIdempotent of one request set how often it is sent', async () => {
  const s = await server()
  await using client = new Client({ baseUrl: s.url, retry: { maxRetries: 0 } })
  expect((await client.get('/unavailable', { retry: { maxRetries: 2 } })).status).toBe(503)
  expect(s.seen.filter((r) => r === 'GET /unavailable')).toHaveLength(3)
  const post = { body: 'x', retry: { maxRetries: 1, nonIdempotent: true } }
  expect((await client.post('/unavailable', post)).status).toBe(503)
  expect(s.seen.filter((r) => r === 'POST /unavailable')).toHaveLength(2)
  expect((await client.post('/unavailable', { body: 'x', retry: { maxRetries: 1 } })).status).toBe(
    503,
  )
  expect(s.seen.filter((r) => r === 'POST /unavailable')).toHaveLength(3)
})
