import { afterEach, describe, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function send(body: RequestInit['body']) {
  const server = await startRecordingServer()
  const res = await fetch(server.url, { method: 'POST', body })
  expect(res.status).toBe(200)
  const seen = server.requests[0]
  if (seen === undefined) throw new Error('the server saw no request')
  return seen
}

describe('request body types', () => {
  it('string: UTF-8 with text/plain;charset=UTF-8', async () => {
    const seen = await send('héllo')
    expect(seen.body.toString('utf8')).toBe('héllo')
    expect(seen.headers['content-type']).toBe('text/plain;charset=UTF-8')
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength('héllo')))
  })

  it('Uint8Array: exact bytes, no content-type', async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255])
    const seen = await send(bytes)
    expect([...seen.body]).toEqual([...bytes])
    expect(seen.headers['content-type']).toBeUndefined()
    expect(seen.headers['content-length']).toBe('6')
  })

  it('ArrayBuffer: exact bytes', async () => {
    const seen = await send(new Uint8Array([9, 8, 7]).buffer)
    expect([...seen.body]).toEqual([9, 8, 7])
    expect(seen.headers['content-type']).toBeUndefined()
  })

  it('DataView: only the viewed bytes', async () => {
    const buffer = new Uint8Array([1, 2, 3, 4, 5]).buffer
    const seen = await send(new DataView(buffer, 1, 3))
    expect([...seen.body]).toEqual([2, 3, 4])
  })

  it('Blob: its bytes with blob.type', async () => {
    const seen = await send(new Blob(['blob ', 'parts'], { type: 'application/x-test' }))
    expect(seen.body.toString()).toBe('blob parts')
    expect(seen.headers['content-type']).toBe('application/x-test')
  })

  it('URLSearchParams: urlencoded with its content type', async () => {
    const seen = await send(new URLSearchParams({ q: 'a b', x: '&=' }))
    expect(seen.body.toString()).toBe('q=a+b&x=%26%3D')
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8')
  })

  it('FormData: multipart the server can parse, with a boundary', async () => {
    const form = new FormData()
    form.append('name', 'value')
    form.append(
      'upload',
      new Blob([new Uint8Array([0, 255, 10, 13])], { type: 'application/octet-stream' }),
      'a.bin',
    )
    const seen = await send(form)
    const contentType = seen.headers['content-type'] ?? ''
    expect(contentType).toMatch(/^multipart\/form-data; boundary=\S+$/)
    const parsed = await new Response(seen.body, {
      headers: { 'content-type': contentType },
    }).formData()
    expect(parsed.get('name')).toBe('value')
    const upload = parsed.get('upload') as File
    expect(upload.name).toBe('a.bin')
    expect([...new Uint8Array(await upload.arrayBuffer())]).toEqual([0, 255, 10, 13])
  })

  it('FormData boundaries differ between requests', async () => {
    const form = new FormData()
    form.append('a', 'b')
    const first = await send(form)
    const second = await send(form)
    expect(first.headers['content-type']).not.toBe(second.headers['content-type'])
  })

  it('null: no body and no content-length on GET', async () => {
    const server = await startRecordingServer()
    await fetch(server.url, { body: null })
    expect(server.requests[0]?.body.length).toBe(0)
    expect(server.requests[0]?.headers['transfer-encoding']).toBeUndefined()
  })

  it('an explicit content-type wins over the automatic one', async () => {
    const server = await startRecordingServer()
    await fetch(server.url, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'application/x-mine' },
    })
    expect(server.requests[0]?.headers['content-type']).toBe('application/x-mine')
  })
})
