import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it("redirect: 'manual' returns the 3xx with its location untouched", async () => {
  const server = await startRedirectServer()
  const res = await fetch(`${server.url}${redirectPath(302, '/elsewhere')}`, { redirect: 'manual' })
  expect(res.status).toBe(302)
  expect(res.headers.get('location')).toBe('/elsewhere')
  expect(res.redirected).toBe(false)
  expect(res.url).toBe(`${server.url}${redirectPath(302, '/elsewhere')}`)
  expect(await res.text()).toBe('redirecting to /elsewhere')
  expect(server.requests).toHaveLength(1)
})

it("a Client with redirect: 'manual' returns every 3xx", async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url, redirect: 'manual' })
  for (const status of [301, 302, 303, 307, 308]) {
    const res = await client.get(redirectPath(status, 'http://127.0.0.1:1/absolute'))
    expect(res.status).toBe(status)
    expect(res.headers.get('location')).toBe('http://127.0.0.1:1/absolute')
  }
  expect(server.requests).toHaveLength(5)
})

it("a per-request redirect: 'follow' overrides a manual client", async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url, redirect: 'manual' })
  const res = await client.get(redirectPath(302, '/followed'), { redirect: 'follow' })
  expect(res.status).toBe(200)
  expect(res.redirected).toBe(true)
})
