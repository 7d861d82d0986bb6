import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

it('sends a Secure cookie set over https back over https', async () => {
  const seen: string[] = []
  const server = await startHttpsServer((req, res) => {
    seen.push(req.headers.cookie ?? '')
    if (req.url === '/login') res.setHeader('set-cookie', ['s=1; Secure', 'p=2'])
    res.end()
  })
  await using client = new Client({ cookieJar: true, tls: { ca: [caPem()] } })

  await (await client.get(`${server.url}/login`)).text()
  await (await client.get(`${server.url}/next`)).text()

  expect(seen[0]).toBe('')
  expect(seen[1]?.split('; ').sort()).toEqual(['p=2', 's=1'])
})

// A Secure cookie never goes to http: on another host (the engine's tests check it, as no
// such traffic may leave this machine); loopback hosts count as secure, as in browsers,
// curl and tough-cookie, so local development servers keep working.
it('treats http on a loopback host as secure', async () => {
  const server = await startLoginServer('s=1; Secure; Path=/')
  await using client = new Client({ cookieJar: true })

  await (await client.get(`${server.url}/login`)).text()

  expect(cookiesSeen(server)).toEqual(['', 's=1'])
})
