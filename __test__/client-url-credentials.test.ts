import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('credentials in the URL become Authorization: Basic', async () => {
  const server = await startRedirectServer()
  await using client = new Client()
  const res = await client.get(`${server.url.replace('http://', 'http://ann:p%40ss@')}/x`)
  expect(res.status).toBe(200)
  expect(server.requests[0]?.url).toBe('/x')
  const sent = server.requests[0]?.headers.authorization
  expect(sent).toBe(`Basic ${Buffer.from('ann:p@ss').toString('base64')}`)
})

it('they follow a same-origin redirect and are never sent to another origin', async () => {
  const target = await startRedirectServer()
  const origin = await startRedirectServer()
  await using client = new Client()
  const withCredentials = origin.url.replace('http://', 'http://ann:pw@')
  await client.get(`${withCredentials}${redirectPath(302, '/same')}`)
  await client.get(`${withCredentials}${redirectPath(302, `${target.url}/other`)}`)
  const basic = `Basic ${Buffer.from('ann:pw').toString('base64')}`
  expect(origin.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
    [redirectPath(302, '/same'), basic],
    ['/same', basic],
    [redirectPath(302, `${target.url}/other`), basic],
  ])
  expect(target.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
    ['/other', undefined],
  ])
})

it('the response URL does not show them, as fetch’s does not', async () => {
  const server = await startRedirectServer()
  await using client = new Client()
  const res = await client.get(`${server.url.replace('http://', 'http://ann:secret@')}/x`)
  expect(res.url).toBe(`${server.url}/x`)
  const redirected = await client.get(
    `${server.url.replace('http://', 'http://ann:secret@')}${redirectPath(302, '/y')}`,
  )
  expect(redirected.url).toBe(`${server.url}/y`)
})
