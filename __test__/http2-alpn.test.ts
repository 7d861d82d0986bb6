import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

it('negotiates HTTP/2 through ALPN over TLS by default', async () => {
  const server = await startSecureServer((req, res) => {
    res.setHeader('x-seen-version', req.httpVersion)
    res.end(`hello over ${req.httpVersion}`)
  })
  await using client = new Client({ tls: { ca: caPem() } })
  const res = await client.get(`${server.url}/`)
  expect(res.status).toBe(200)
  expect(res.headers.get('x-seen-version')).toBe('2.0')
  expect(await res.text()).toBe('hello over 2.0')
  expect(server.sessions()).toBe(1)
})

it('speaks HTTP/2 to an h2-only server', async () => {
  const server = await startSecureServer((req, res) => res.end(req.httpVersion), {
    allowHTTP1: false,
  })
  await using client = new Client({ tls: { ca: caPem() } })
  expect(await (await client.get(server.url)).text()).toBe('2.0')
})

it('sends request bodies and headers over HTTP/2', async () => {
  const server = await startSecureServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    res.setHeader('x-echo-header', String(req.headers['x-custom']))
    res.end(`${req.method} ${Buffer.concat(chunks).toString()}`)
  })
  await using client = new Client({ tls: { ca: caPem() } })
  const res = await client.post(`${server.url}/`, {
    body: 'h2 body',
    headers: { 'x-custom': 'yes' },
  })
  expect(await res.text()).toBe('POST h2 body')
  expect(res.headers.get('x-echo-header')).toBe('yes')
})

it('fetch with an https URL uses the same HTTP/2 session for sequential requests', async () => {
  const server = await startSecureServer((req, res) => res.end(req.httpVersion))
  await using client = new Client({ tls: { ca: caPem() } })
  for (let i = 0; i < 5; i++)
    expect(await (await client.fetch(`${server.url}/${i}`)).text()).toBe('2.0')
  expect(server.sessions()).toBe(1)
  expect(server.connections.total).toBe(1)
})
