import { expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'

interface Served {
  status: number
  statusText: string
  url: string
  headers: Array<[string, string]>
  body: number[]
}

async function served(response: Promise<globalThis.Response | Response>): Promise<Served> {
  const res = await response
  return {
    status: res.status,
    statusText: res.statusText,
    url: res.url,
    headers: [...res.headers],
    body: [...new Uint8Array(await res.arrayBuffer())],
  }
}

const URLS = [
  'data:text/plain;base64,aGVsbG8=',
  'data:text/plain;base64,aGVs bG8',
  'data:,Hello%2C%20World%21%ff',
  'data:TEXT/Plain;Foo=Bar;charset=utf-8,x',
  'data:not-a-type,x',
  'data:text/html ; base64 ,aGk=',
  'data:;base64,aGk=',
  'data:,a#fragment',
  'data:,caf\u00e9',
]

it('data: URLs are served as Node serves them', async () => {
  for (const url of URLS) {
    expect(await served(fetch(url)), url).toEqual(await served(globalThis.fetch(url)))
  }
  expect(await served(fetch('data:text/plain;base64,aGVsbG8='))).toMatchObject({
    status: 200,
    statusText: 'OK',
    headers: [['content-type', 'text/plain']],
    body: [...Buffer.from('hello')],
  })
})

it('a bad data: URL is a TypeError', async () => {
  for (const url of ['data:text/plain', 'data:;base64,a', 'data:;base64,aG$k']) {
    const error = await fetch(url).catch((e: unknown) => e)
    expect(error, url).toBeInstanceOf(TypeError)
    expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
    await expect(globalThis.fetch(url), url).rejects.toBeInstanceOf(TypeError)
  }
})

it('client.fetch serves data: URLs even with a baseUrl; client.get refuses them', async () => {
  await using client = new Client({ baseUrl: 'http://127.0.0.1:1/api/' })
  expect(await (await client.fetch('data:,hi')).text()).toBe('hi')
  await using bare = new Client()
  await expect(bare.get('data:,hi')).rejects.toBeInstanceOf(InvalidArgumentError)
})
