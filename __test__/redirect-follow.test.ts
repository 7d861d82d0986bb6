import { afterEach, expect, it } from 'vitest'
import { Client, fetch, RedirectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

/** `/hop/N` redirects to `/hop/N-1`; `/hop/0` answers 200. */
async function startHopServer() {
  return startRecordingServer((req, res) => {
    const n = Number(req.url.split('/')[2])
    if (n > 0) {
      res.statusCode = 302
      res.setHeader('location', `/hop/${n - 1}`)
      res.end()
    } else {
      res.end('landed')
    }
  })
}

it('follows redirects by default, reporting redirected and the final url', async () => {
  const server = await startRedirectServer()
  const res = await fetch(`${server.url}${redirectPath(302, '/final?x=1')}`)
  expect(res.status).toBe(200)
  expect(res.redirected).toBe(true)
  expect(res.url).toBe(`${server.url}/final?x=1`)
  expect(await res.json()).toMatchObject({ method: 'GET', url: '/final?x=1' })
})

it('follows a chain through every 3xx that carries a location', async () => {
  const server = await startRedirectServer()
  const chain = redirectPath(
    301,
    redirectPath(302, redirectPath(303, redirectPath(307, redirectPath(308, '/end')))),
  )
  await using client = new Client({ baseUrl: server.url })
  const res = await client.get(`${server.url}${chain}`)
  expect(res.status).toBe(200)
  expect(res.url).toBe(`${server.url}/end`)
  expect(server.requests).toHaveLength(6)
})

it('follows up to 20 redirects by default and refuses the 21st', async () => {
  const server = await startHopServer()
  await using client = new Client({ baseUrl: server.url })
  expect(await (await client.get(`${server.url}/hop/20`)).text()).toBe('landed')
  const before = server.requests.length
  const error = await rejectionOf(client.get(`${server.url}/hop/21`))
  expect(error).toBeInstanceOf(RedirectError)
  expect((error as RedirectError).code).toBe('ERR_REDIRECT')
  expect(server.requests.length - before).toBe(21)
})

it('maxRedirects lowers the limit, per client and per request', async () => {
  const server = await startHopServer()
  await using client = new Client({ maxRedirects: 2 })
  expect(await (await client.get(`${server.url}/hop/2`)).text()).toBe('landed')
  expect(await rejectionOf(client.get(`${server.url}/hop/3`))).toBeInstanceOf(RedirectError)
  expect(await (await client.get(`${server.url}/hop/3`, { maxRedirects: 3 })).text()).toBe('landed')
})

it('maxRedirects: 0 refuses any redirect', async () => {
  const server = await startHopServer()
  await using client = new Client({ maxRedirects: 0 })
  expect(await rejectionOf(client.get(`${server.url}/hop/1`))).toBeInstanceOf(RedirectError)
})

it('a redirect loop rejects with RedirectError instead of spinning', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.statusCode = 302
    res.setHeader('location', '/loop')
    res.end()
  })
  const error = await rejectionOf(fetch(`${server.url}/loop`))
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(RedirectError)
  expect(server.requests.length).toBe(21)
})

it('a 3xx without a location is returned as is', async () => {
  const server = await startRecordingServer((_req, res) => {
    res.statusCode = 302
    res.end('no location')
  })
  const res = await fetch(server.url)
  expect(res.status).toBe(302)
  expect(res.redirected).toBe(false)
  expect(await res.text()).toBe('no location')
})
