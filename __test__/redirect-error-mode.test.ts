import { afterEach, expect, it } from 'vitest'
import { Client, fetch, RedirectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it("redirect: 'error' rejects on a 3xx without following it", async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url, redirect: 'error' })
  const error = await rejectionOf(client.get(redirectPath(301, '/target')))
  expect(error).toBeInstanceOf(RedirectError)
  expect((error as RedirectError).code).toBe('ERR_REDIRECT')
  expect(server.requests).toHaveLength(1)
})

it("fetch with redirect: 'error' rejects with a TypeError caused by RedirectError", async () => {
  const server = await startRedirectServer()
  const error = await rejectionOf(
    fetch(`${server.url}${redirectPath(307, '/target')}`, { redirect: 'error' }),
  )
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(RedirectError)
  expect(server.requests).toHaveLength(1)
})

it("redirect: 'error' lets non-redirect responses through", async () => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url, redirect: 'error' })
  expect((await client.get('/plain')).status).toBe(200)
})
