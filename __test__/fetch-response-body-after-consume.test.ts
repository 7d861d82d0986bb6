import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { startBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

type AnyFetch = (url: string) => Promise<globalThis.Response>
const fetches: Record<string, AnyFetch> = {
  hyperhttp: fetch as unknown as AnyFetch,
  node: globalThis.fetch,
}
const methods = ['text', 'arrayBuffer', 'bytes', 'blob'] as const

/** After a body method, what `body` looks like, whether `body` was read before or not. */
async function observe(fetchWith: AnyFetch, url: string, release: () => void) {
  const seen: unknown[] = []
  for (const method of methods) {
    for (const touchFirst of [false, true]) {
      const res = await fetchWith(url)
      release()
      const before = touchFirst ? res.body : null
      await res[method]()
      const after = res.body as ReadableStream
      seen.push([method, touchFirst, after.locked, res.bodyUsed, after === res.body])
      if (before !== null) seen.push(before === after)
    }
  }
  return seen
}

it('body is the used, locked stream after a body method, as with Node’s fetch', async () => {
  const server = await startBodyServer()
  for (const path of ['/small', '/held']) {
    const url = `${server.url}${path}`
    const ours = await observe(fetches.hyperhttp as AnyFetch, url, server.release)
    expect(ours, path).toEqual(await observe(fetches.node as AnyFetch, url, server.release))
    expect(ours[0]).toEqual(['text', false, true, true, true])
  }
})

it('a body read through body is not readable again', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/small`)
  for await (const _ of res.body as ReadableStream) {
    // drains the stream
  }
  expect(res.bodyUsed).toBe(true)
  await expect(res.text()).rejects.toBeInstanceOf(TypeError)
})
