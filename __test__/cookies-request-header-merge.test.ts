import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it("sends the request's own Cookie header first, then the jar's cookies", async () => {
  const server = await startLoginServer('sid=s1; Path=/')
  await using client = new Client({ cookieJar: true, headers: { cookie: 'mine=1' } })

  await (await client.get(`${server.url}/login`)).text()

  expect(cookiesSeen(server)).toEqual(['mine=1', 'mine=1; sid=s1'])
})

it("drops the request's own Cookie header on another origin but still sends the jar's for it", async () => {
  const other = await startLoginServer('unused=1')
  const server = await startLoginServer('sid=s1; Path=/', () => `http://127.0.0.1:${other.port}/x`)
  await using client = new Client({ cookieJar: true })

  await (await client.get(`${server.url}/login`, { headers: { cookie: 'mine=1' } })).text()

  expect(cookiesSeen(server)).toEqual(['mine=1'])
  expect(cookiesSeen(other)).toEqual(['sid=s1'])
})
