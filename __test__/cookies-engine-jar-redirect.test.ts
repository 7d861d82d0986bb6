import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('sends a cookie set by a 302 on the next hop of the same origin, and on later requests', async () => {
  const server = await startLoginServer('sid=s1; Path=/; HttpOnly; SameSite=Lax')
  await using client = new Client({ cookieJar: true })

  const res = await client.get(`${server.url}/login`)

  expect(res.redirected).toBe(true)
  expect(await res.text()).toBe('sid=s1')
  await (await client.get(`${server.url}/later`)).text()
  expect(cookiesSeen(server)).toEqual(['', 'sid=s1', 'sid=s1'])
})

it('keeps a host-only cookie of 127.0.0.1 from localhost, and sends it to 127.0.0.1 on another port', async () => {
  const other = await startLoginServer('unused=1')
  const server = await startLoginServer(
    ['sid=s1; Path=/', 'wide=1; Domain=localhost'],
    () => `http://localhost:${other.port}/landing`,
  )
  await using client = new Client({ cookieJar: true })

  const res = await client.get(`${server.url}/login`)

  expect(res.url).toBe(`http://localhost:${other.port}/landing`)
  expect(await res.text()).toBe('')
  // Cookies are not isolated by port (RFC 6265 section 8.5); Domain=localhost from 127.0.0.1 was refused.
  expect(await (await client.get(`http://127.0.0.1:${other.port}/x`)).text()).toBe('sid=s1')
  expect(await (await client.get(`http://localhost:${other.port}/y`)).text()).toBe('')
})

it('sends a cookie set by localhost to localhost only', async () => {
  const target = await startLoginServer('unused=1')
  const server = await startLoginServer('unused=1', () => `http://127.0.0.1:${target.port}/home`)
  await using client = new Client({ cookieJar: true })
  const setter = await startLoginServer('host=l1', () => `http://localhost:${server.port}/login`)

  // localhost sets host=l1 and sends us to localhost, which sends us on to 127.0.0.1.
  const res = await client.get(`http://localhost:${setter.port}/login`)

  expect(res.url).toBe(`http://127.0.0.1:${target.port}/home`)
  expect(await res.text()).toBe('')
  expect(cookiesSeen(server)).toEqual(['host=l1'])
})
