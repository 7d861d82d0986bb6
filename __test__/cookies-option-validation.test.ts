import { expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'

it.each([
  ['a string', 'yes'],
  ['an object without setCookie', { getCookieString: () => '' }],
  ['null', null],
])('refuses cookieJar as %s with InvalidArgumentError naming it', (_what, cookieJar) => {
  expect(() => new Client({ cookieJar: cookieJar as never })).toThrow(InvalidArgumentError)
  expect(() => new Client({ cookieJar: cookieJar as never })).toThrow(/^cookieJar must be/)
})

it('accepts false as no jar', async () => {
  await using client = new Client({ cookieJar: false })
  expect(client).toBeInstanceOf(Client)
})
