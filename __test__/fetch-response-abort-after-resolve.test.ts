import { afterEach, expect, it } from 'vitest'
import { AbortError, Client, fetch } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { PLATFORM_FETCH_IS_CURRENT } from './helpers/platform.js'
import { startBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

type AnyFetch = (url: string, init: { signal: AbortSignal }) => Promise<globalThis.Response>
const hyperFetch = fetch as unknown as AnyFetch
const nodeFetch: AnyFetch = globalThis.fetch

/** Ways to read a body that was aborted after its response resolved. */
const reads: Record<string, (res: globalThis.Response) => Promise<unknown>> = {
  'text()': (res) => res.text(),
  'arrayBuffer()': (res) => res.arrayBuffer(),
  'body.getReader().read()': (res) => (res.body as ReadableStream).getReader().read(),
  'clone().text()': (res) => res.clone().text(),
  'text() of a clone made before the abort': async (res) => res.text(),
}

/** Whether each read fails with the signal's reason itself, and what bodyUsed says then. */
async function observe(fetchWith: AnyFetch, url: string, release: () => void) {
  const seen: unknown[] = []
  for (const [name, read] of Object.entries(reads)) {
    const controller = new AbortController()
    const reason = new Error(`stop ${name}`)
    let res = await fetchWith(url, { signal: controller.signal })
    if (name.includes('made before')) res = res.clone()
    controller.abort(reason)
    release()
    const outcome = await read(res).then(
      () => 'read',
      (error) => (error === reason ? 'rejected with the reason' : `rejected with ${error}`),
    )
    seen.push([name, outcome])
  }
  return seen
}

it('an abort after the response resolved fails reads of its unread body, as Node’s fetch', async () => {
  const server = await startBodyServer()
  for (const path of ['/small', '/held']) {
    const url = `${server.url}${path}`
    const ours = await observe(hyperFetch, url, server.release)
    // Node 22 rejects three of the reads with a new AbortError (see PLATFORM_FETCH_IS_CURRENT).
    if (PLATFORM_FETCH_IS_CURRENT) {
      expect(ours, path).toEqual(await observe(nodeFetch, url, server.release))
    }
    for (const [name, outcome] of ours as [string, string][]) {
      expect(outcome, `${path} ${name}`).toBe('rejected with the reason')
    }
  }
})

it('the reason of a default abort is the AbortError DOMException, for a whole body too', async () => {
  const server = await startBodyServer()
  const controller = new AbortController()
  const res = await fetch(`${server.url}/small`, { signal: controller.signal })
  controller.abort()
  const error = await rejectionOf((res.body as ReadableStream).getReader().read())
  expect(error).toBe(controller.signal.reason)
  expect((error as DOMException).name).toBe('AbortError')
})

it('a body read before the abort is unaffected', async () => {
  const server = await startBodyServer()
  const controller = new AbortController()
  const res = await fetch(`${server.url}/small`, { signal: controller.signal })
  const text = await res.text()
  controller.abort()
  expect(text).toBe('small body')
})

it('Client methods fail the read with a typed AbortError whose cause is the reason', async () => {
  const server = await startBodyServer()
  await using client = new Client({ retry: false })
  const controller = new AbortController()
  const res = await client.get(`${server.url}/small`, { signal: controller.signal })
  controller.abort('enough')
  const error = await rejectionOf(res.text())
  expect(error).toBeInstanceOf(AbortError)
  expect((error as AbortError).code).toBe('ERR_ABORTED')
  expect((error as AbortError).cause).toBe('enough')
})
