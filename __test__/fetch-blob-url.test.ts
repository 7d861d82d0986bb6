import { expect, it } from 'vitest'
import { Client, fetch, InvalidArgumentError } from '../dist/esm/index.js'
import { PLATFORM_FETCH_IS_CURRENT } from './helpers/platform.js'

it('blob: URLs of URL.createObjectURL blobs are served as Node serves them', async () => {
  const url = URL.createObjectURL(new Blob(['blob data'], { type: 'text/x-test' }))
  const untyped = URL.createObjectURL(new Blob([new Uint8Array([0, 255])]))
  try {
    for (const u of [url, untyped]) {
      const [ours, node] = [await fetch(u), await globalThis.fetch(u)]
      expect([ours.status, ours.statusText, ours.url, [...ours.headers]]).toEqual([
        node.status,
        node.statusText,
        node.url,
        [...node.headers],
      ])
      expect(Buffer.from(await ours.arrayBuffer())).toEqual(Buffer.from(await node.arrayBuffer()))
    }
    const res = await fetch(url)
    expect(res.headers.get('content-type')).toBe('text/x-test')
    expect(await res.text()).toBe('blob data')
    await using client = new Client()
    expect(await (await client.fetch(url)).text()).toBe('blob data')
  } finally {
    URL.revokeObjectURL(url)
    URL.revokeObjectURL(untyped)
  }
})

it('a revoked blob URL, or another method than GET, is a TypeError', async () => {
  const url = URL.createObjectURL(new Blob(['x']))
  const post = await fetch(url, { method: 'POST' }).catch((e: unknown) => e)
  expect(post).toBeInstanceOf(TypeError)
  expect((post as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
  URL.revokeObjectURL(url)
  const revoked = await fetch(url).catch((e: unknown) => e)
  expect(revoked).toBeInstanceOf(TypeError)
  expect(((revoked as TypeError).cause as Error).message).toContain('not a registered blob URL')
})

it('a single byte Range is answered 206 with content-range, as Node 24 and later do', async () => {
  const url = URL.createObjectURL(new Blob(['0123456789'], { type: 'text/x-digits' }))
  try {
    const read = async (send: typeof globalThis.fetch | typeof fetch, range: string) => {
      const res = await send(url, { headers: { range } })
      return [res.status, res.statusText, [...res.headers], await res.text()]
    }
    // What Node 24 and later answer; Node 22 serves one byte less (see PLATFORM_FETCH_IS_CURRENT).
    const answers: [string, string, string][] = [
      ['bytes=0-0', 'bytes 0-0/10', '0'],
      ['bytes=-3', 'bytes 7-9/10', '789'],
      ['bytes=1-100', 'bytes 1-9/10', '123456789'],
      ['bytes = 1 - 2', 'bytes 1-2/10', '12'],
    ]
    for (const [range, contentRange, body] of answers) {
      const ours = await read(fetch, range)
      expect(ours, range).toEqual([
        206,
        'Partial Content',
        [
          ['content-length', String(body.length)],
          ['content-range', contentRange],
          ['content-type', 'text/x-digits'],
        ],
        body,
      ])
      if (PLATFORM_FETCH_IS_CURRENT)
        expect(ours, range).toEqual(await read(globalThis.fetch, range))
    }
    expect(await read(fetch, 'bytes=7-')).toEqual([
      206,
      'Partial Content',
      [
        ['content-length', '3'],
        ['content-range', 'bytes 7-9/10'],
        ['content-type', 'text/x-digits'],
      ],
      '789',
    ])
    for (const range of ['bytes=5-2', 'bytes=10-', 'bytes=0-1,2-3', 'items=0-1']) {
      await expect(fetch(url, { headers: { range } }), range).rejects.toBeInstanceOf(TypeError)
    }
  } finally {
    URL.revokeObjectURL(url)
  }
})
