import { CookieJar } from 'tough-cookie'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { cookiesSeen, startLoginServer } from './helpers/cookie-servers.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('stores Set-Cookie of every hop in a tough-cookie jar and takes each hop’s Cookie from it', async () => {
  const server = await startLoginServer('sid=s1; Path=/')
  const jar = new CookieJar()
  await jar.setCookie('pre=0; Path=/', server.url)
  await using client = new Client({ cookieJar: jar })

  const res = await client.get(`${server.url}/login`)

  expect(await res.text()).toBe('pre=0; sid=s1')
  expect(cookiesSeen(server)).toEqual(['pre=0', 'pre=0; sid=s1'])
  expect(await jar.getCookieString(server.url)).toBe('pre=0; sid=s1')
})

it('has the final response’s cookies in the jar when the response resolves, and those of a retried one', async () => {
  let hits = 0
  const server = await startRecordingServer((req, res) => {
    hits += 1
    res.setHeader('set-cookie', hits === 1 ? 'retried=1' : 'final=2')
    res.writeHead(hits === 1 ? 503 : 200)
    res.end(req.headers.cookie ?? '')
  })
  const jar = new CookieJar()
  await using client = new Client({ cookieJar: jar, retry: { backoff: { kind: 'none' } } })

  const res = await client.get(server.url)

  expect(res.attempts).toBe(2)
  expect(await jar.getCookieString(server.url)).toBe('retried=1; final=2')
  expect(await res.text()).toBe('retried=1')
})

it('asks the jar with the URL of each hop, and follows its domain rules across origins', async () => {
  const other = await startLoginServer('unused=1')
  const server = await startLoginServer('sid=s1; Path=/', () => `http://localhost:${other.port}/x`)
  const jar = new CookieJar()
  const asked: string[] = []
  await using client = new Client({
    cookieJar: {
      getCookieString: (url: string) => {
        asked.push(url)
        return jar.getCookieString(url)
      },
      setCookie: (cookie: string, url: string) => jar.setCookie(cookie, url),
    },
  })

  await (await client.get(`${server.url}/login`)).text()

  expect(asked).toEqual([`${server.url}/login`, `http://localhost:${other.port}/x`])
  expect(cookiesSeen(other)).toEqual([''])
  expect(await jar.getCookieString(`http://127.0.0.1:${other.port}/`)).toBe('sid=s1')
})

it('rejects with what getCookieString threw, and drops cookies setCookie refuses', async () => {
  const server = await startLoginServer('sid=s1; Path=/')
  const failure = new Error('jar unavailable')
  let calls = 0
  await using client = new Client({
    cookieJar: {
      getCookieString: () => {
        calls += 1
        if (calls === 2) throw failure
        return ''
      },
      setCookie: () => Promise.reject(new Error('refused')),
    },
  })

  await expect(client.get(`${server.url}/login`)).rejects.toBe(failure)
  expect(server.requests).toHaveLength(1)
})
