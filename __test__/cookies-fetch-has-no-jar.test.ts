import { afterEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('fetch keeps no cookies, as Node fetch keeps none', async () => {
  const server = await startLoginServer('sid=s1; Path=/')

  const res = await fetch(`${server.url}/login`)
  await res.text()
  await (await fetch(`${server.url}/again`)).text()

  expect(res.redirected).toBe(true)
  expect(res.headers.getSetCookie()).toEqual([])
  expect(cookiesSeen(server)).toEqual(['', '', ''])
})

it('a Client without cookieJar keeps none either', async () => {
  const server = await startLoginServer('sid=s1; Path=/')
  await using client = new Client()

  await (await client.get(`${server.url}/login`)).text()

  expect(cookiesSeen(server)).toEqual(['', ''])
})
