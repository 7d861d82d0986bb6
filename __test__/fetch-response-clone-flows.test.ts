import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { HELD_LENGTH, SMALL_BODY, startBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

type AnyFetch = (url: string) => Promise<globalThis.Response>
const hyperFetch = fetch as unknown as AnyFetch
const nodeFetch: AnyFetch = globalThis.fetch

const length = async (text: Promise<string>) => (await text).length

/**
 * What libraries do with clones (a logging hook reads a clone, a cache keeps one, a retry
 * cancels the spare ones). Each flow returns what it observed; both fetches must agree.
 */
const flows: Record<string, (res: globalThis.Response) => Promise<unknown[]>> = {
  'read the clone, then the original': async (res) => {
    const copy = res.clone()
    return [await length(copy.text()), await length(res.text())]
  },
  'read the original, then the clone': async (res) => {
    const copy = res.clone()
    return [await length(res.text()), await length(copy.text())]
  },
  'read one clone, cancel the other, then read the original': async (res) => {
    const first = res.clone()
    const second = res.clone()
    const read = await length(first.text())
    void second.body?.cancel()
    return [read, await length(res.text())]
  },
  'touch body, clone, read the clone, then the original': async (res) => {
    expect(res.body).not.toBeNull()
    const copy = res.clone()
    return [await length(copy.text()), await length(res.text())]
  },
  'cancel the original, read the clone': async (res) => {
    const copy = res.clone()
    void res.body?.cancel()
    return [await length(copy.text())]
  },
  'cancel the clone, read the original': async (res) => {
    const copy = res.clone()
    void copy.body?.cancel()
    return [await length(res.text())]
  },
  'clone a clone, read all three': async (res) => {
    const copy = res.clone()
    const copyOfCopy = copy.clone()
    return [await length(copyOfCopy.text()), await length(copy.text()), await length(res.text())]
  },
  'bodyUsed and locked after reading only the clone': async (res) => {
    const copy = res.clone()
    await copy.text()
    return [copy.bodyUsed, res.bodyUsed, copy.body?.locked, res.body?.locked]
  },
  'read a chunk, release the lock, clone': async (res) => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    reader.releaseLock()
    return [res.bodyUsed, tryCall(() => res.clone())]
  },
  'lock without reading, release, then read': async (res) => {
    ;(res.body as ReadableStream<Uint8Array>).getReader().releaseLock()
    return [res.bodyUsed, await length(res.text())]
  },
}

function tryCall(fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
}

async function observe(
  fetchWith: AnyFetch,
  url: string,
  release: () => void,
  flow: (res: globalThis.Response) => Promise<unknown[]>,
) {
  const res = await fetchWith(url)
  release()
  return flow(res)
}

it.each(Object.keys(flows))('%s: as Node’s fetch, for whole and streamed bodies', async (name) => {
  const flow = flows[name] as (res: globalThis.Response) => Promise<unknown[]>
  const server = await startBodyServer()
  for (const path of ['/small', '/held']) {
    const url = `${server.url}${path}`
    const ours = await observe(hyperFetch, url, server.release, flow)
    const node = await observe(nodeFetch, url, server.release, flow)
    expect(ours, path).toEqual(node)
  }
})

it('a hook that touches body, clones and reads the clone leaves the original readable', async () => {
  const server = await startBodyServer()
  for (const [path, size] of [
    ['/small', SMALL_BODY.length],
    ['/held', HELD_LENGTH],
  ] as const) {
    const res = await fetch(`${server.url}${path}`)
    server.release()
    expect(res.body).not.toBeNull()
    expect((await res.clone().text()).length).toBe(size)
    expect((await res.text()).length).toBe(size)
  }
})
