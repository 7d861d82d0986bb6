import { afterEach, expect, it } from 'vitest'
import { Client, RedirectError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { redirectPath, startRedirectServer } from './helpers/redirects.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it.each([
  'file:///etc/passwd',
  'data:text/plain,hello',
  'ftp://127.0.0.1/file',
  'unix:/var/run/docker.sock',
  'javascript:alert(1)',
])('refuses to follow a redirect to %s', async (target) => {
  const server = await startRedirectServer()
  await using client = new Client({ baseUrl: server.url })
  const error = await rejectionOf(client.get(redirectPath(302, target)))
  expect(error).toBeInstanceOf(RedirectError)
  expect((error as RedirectError).code).toBe('ERR_REDIRECT')
  expect(server.requests).toHaveLength(1)
})
