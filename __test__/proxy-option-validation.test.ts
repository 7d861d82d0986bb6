import { expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'

it.each([
  ['socks4://u:hunter2@127.0.0.1:1080', /unsupported scheme socks4:/],
  ['ftp://u:hunter2@127.0.0.1', /unsupported scheme ftp:/],
  ['http://u:hunter2@', /not a valid URL/],
  ['no scheme', /not a valid URL/],
])('proxy %s is refused with a typed error that hides the password', (proxy, message) => {
  const error = (() => {
    try {
      new Client({ proxy })
    } catch (e) {
      return e
    }
  })() as InvalidArgumentError
  expect(error).toBeInstanceOf(InvalidArgumentError)
  expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  expect(error.message).toMatch(message)
  expect(error.message).not.toContain('hunter2')
})

it.each([
  [42, /proxy must be a proxy URL/],
  [true, /proxy must be a proxy URL/],
  [{ url: 1 }, /proxy.url must be a proxy URL/],
  [{ url: 'http://127.0.0.1:3128', port: 1 }, /unknown option proxy.port/],
  [{ url: 'http://127.0.0.1:3128', headers: 'x' }, /proxy.headers must be/],
])('proxy %o is refused', (proxy, message) => {
  expect(() => new Client({ proxy: proxy as never })).toThrow(message)
})

it('accepts URLs, URL objects, { url, headers }, env and false', () => {
  for (const proxy of [
    'http://127.0.0.1:3128',
    new URL('https://user:pw@proxy.test'),
    { url: 'socks5h://127.0.0.1:1080', headers: { 'x-a': 'b' } },
    'env',
    false,
  ] as const) {
    new Client({ proxy }).close()
  }
})

it('a request cannot choose its own proxy: it is refused, not ignored', async () => {
  await using client = new Client()
  const options = { proxy: false } as Record<string, unknown>
  await expect(client.get('http://127.0.0.1:1/', options)).rejects.toThrow(
    /proxy is a client option, not a request option/,
  )
})
