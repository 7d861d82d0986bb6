import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('stops sending a cookie once its Max-Age has passed', async () => {
  // Max-Age=3 leaves a loaded machine 3 s between setting the cookie and the next request.
  const server = await startLoginServer(['short=1; Max-Age=3', 'long=2; Max-Age=3600'])
  await using client = new Client({ cookieJar: true })

  await (await client.get(`${server.url}/login`)).text()
  await sleep(4_000)
  await (await client.get(`${server.url}/after`)).text()

  const [, first, after] = cookiesSeen(server)
  expect(first?.split('; ').sort()).toEqual(['long=2', 'short=1'])
  expect(after).toBe('long=2')
}, 20_000)
