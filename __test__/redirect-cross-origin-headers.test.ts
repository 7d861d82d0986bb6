import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const sensitive = {
  authorization: 'Bearer secret',
  cookie: 'session=secret',
  'proxy-authorization': 'Basic c2VjcmV0',
  'www-authenticate': 'Basic realm="x"',
}
const harmless = { 'x-trace': 'kept' }

it('strips credentials when the redirect goes to another port', async () => {
  const origin = await startRedirectServer()
  const other = await startRedirectServer()
  await using client = new Client()
  const res = await client.get(`${origin.url}${redirectPath(302, `${other.url}/landing`)}`, {
    headers: { ...sensitive, ...harmless },
  })
  expect(res.url).toBe(`${other.url}/landing`)
  const landed = other.requests[0]
  for (const name of Object.keys(sensitive)) expect(landed?.headers[name], name).toBeUndefined()
  expect(landed?.headers['x-trace']).toBe('kept')
  expect(origin.requests[0]?.headers.authorization).toBe('Bearer secret')
})

it('strips credentials when the redirect goes to another host name (127.0.0.1 -> localhost)', async () => {
  const server = await startRedirectServer()
  await using client = new Client()
  const target = `http://localhost:${server.port}/landing`
  const res = await client.get(`${server.url}${redirectPath(307, target)}`, {
    headers: { ...sensitive, ...harmless },
  })
  expect(res.status).toBe(200)
  const landed = server.requests[1]
  expect(landed?.url).toBe('/landing')
  for (const name of Object.keys(sensitive)) expect(landed?.headers[name], name).toBeUndefined()
  expect(landed?.headers['x-trace']).toBe('kept')
})

it('strips credentials set as client default headers too', async () => {
  const origin = await startRedirectServer()
  const other = await startRedirectServer()
  await using client = new Client({ headers: sensitive })
  await client.get(`${origin.url}${redirectPath(301, `${other.url}/landing`)}`)
  for (const name of Object.keys(sensitive))
    expect(other.requests[0]?.headers[name], name).toBeUndefined()
})

it('keeps credentials on a same-origin redirect', async () => {
  const server = await startRedirectServer()
  await using client = new Client()
  await client.get(`${server.url}${redirectPath(302, '/same-origin')}`, {
    headers: { ...sensitive, ...harmless },
  })
  const landed = server.requests[1]
  expect(landed?.url).toBe('/same-origin')
  for (const [name, value] of Object.entries(sensitive))
    expect(landed?.headers[name], name).toBe(value)
})
