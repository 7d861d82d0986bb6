import { afterEach, expect, it } from 'vitest'
import { fetch, RedirectError } from '../dist/esm/index.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it("a Request's own redirect: 'error' is honoured", async () => {
  const server = await startRedirectServer()
  const request = new Request(`${server.url}${redirectPath(302, '/next')}`, { redirect: 'error' })
  const error = await fetch(request).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(RedirectError)
  expect(server.requests).toHaveLength(1)
})

it("a Request's own redirect: 'manual' returns the 3xx", async () => {
  const server = await startRedirectServer()
  const request = new Request(`${server.url}${redirectPath(301, '/next')}`, { redirect: 'manual' })
  const res = await fetch(request)
  expect(res.status).toBe(301)
  expect(res.headers.get('location')).toBe('/next')
})

it("init.redirect overrides the Request's mode", async () => {
  const server = await startRedirectServer()
  const request = new Request(`${server.url}${redirectPath(302, '/next')}`, { redirect: 'error' })
  const res = await fetch(request, { redirect: 'follow' })
  expect(res.status).toBe(200)
  expect(res.redirected).toBe(true)
})
