import { afterEach, describe, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

async function serve(body: string | Buffer, contentType = 'text/plain') {
  return startRecordingServer((_req, res) => {
    res.setHeader('content-type', contentType)
    res.end(body)
  })
}

describe('response body readers', () => {
  it('text() decodes UTF-8', async () => {
    const server = await serve('héllo wörld ✓')
    expect(await (await fetch(server.url)).text()).toBe('héllo wörld ✓')
  })

  it('json() parses the body', async () => {
    const server = await serve(JSON.stringify({ a: [1, 2], b: null }), 'application/json')
    expect(await (await fetch(server.url)).json()).toEqual({ a: [1, 2], b: null })
  })

  it('json() rejects with a SyntaxError on invalid JSON', async () => {
    const server = await serve('{not json', 'application/json')
    await expect((await fetch(server.url)).json()).rejects.toBeInstanceOf(SyntaxError)
  })

  it('arrayBuffer() and bytes() return the exact bytes', async () => {
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const server = await serve(payload, 'application/octet-stream')
    const buffer = await (await fetch(server.url)).arrayBuffer()
    expect(buffer).toBeInstanceOf(ArrayBuffer)
    expect(Buffer.from(buffer).equals(payload)).toBe(true)
    const bytes = await (await fetch(server.url)).bytes()
    expect(bytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(bytes).equals(payload)).toBe(true)
  })

  it('blob() carries the content type', async () => {
    const server = await serve('blob data', 'application/x-test')
    const blob = await (await fetch(server.url)).blob()
    expect(blob).toBeInstanceOf(Blob)
    expect(blob.type).toBe('application/x-test')
    expect(await blob.text()).toBe('blob data')
  })

  it('formData() parses urlencoded and multipart bodies', async () => {
    const urlencoded = await serve('a=1&b=two+words', 'application/x-www-form-urlencoded')
    const form = await (await fetch(urlencoded.url)).formData()
    expect(form.get('a')).toBe('1')
    expect(form.get('b')).toBe('two words')

    const source = new FormData()
    source.append('field', 'value')
    source.append('file', new Blob(['file content'], { type: 'text/plain' }), 'name.txt')
    const encoded = new Response(source)
    const multipart = await serve(
      Buffer.from(await encoded.arrayBuffer()),
      encoded.headers.get('content-type') ?? '',
    )
    const parsed = await (await fetch(multipart.url)).formData()
    expect(parsed.get('field')).toBe('value')
    const file = parsed.get('file')
    expect(file).toBeInstanceOf(Blob)
    expect((file as File).name).toBe('name.txt')
    expect(await (file as File).text()).toBe('file content')
  })
})

describe('response body stream', () => {
  it('is a ReadableStream of Uint8Array chunks', async () => {
    const server = await serve('streamed body')
    const res = await fetch(server.url)
    expect(res.body).toBeInstanceOf(ReadableStream)
    const chunks: Uint8Array[] = []
    for await (const chunk of res.body as ReadableStream<Uint8Array>) {
      expect(chunk).toBeInstanceOf(Uint8Array)
      chunks.push(chunk)
    }
    expect(Buffer.concat(chunks).toString()).toBe('streamed body')
    expect(res.bodyUsed).toBe(true)
  })

  it('is null for 204 and 304 responses', async () => {
    const server = await startRecordingServer((req, res) => {
      res.statusCode = Number(req.url?.slice(1))
      res.end()
    })
    for (const status of [204, 304]) {
      const res = await fetch(`${server.url}/${status}`)
      expect(res.status).toBe(status)
      expect(res.body).toBeNull()
      expect(await res.text()).toBe('')
    }
  })
})

describe('bodyUsed', () => {
  it('is false before reading and true after', async () => {
    const server = await serve('once')
    const res = await fetch(server.url)
    expect(res.bodyUsed).toBe(false)
    await res.text()
    expect(res.bodyUsed).toBe(true)
  })

  it('reading a used body rejects with a TypeError', async () => {
    const server = await serve('once')
    const res = await fetch(server.url)
    await res.text()
    const error = await rejectionOf(res.text())
    expect(error).toBeInstanceOf(TypeError)
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(TypeError)
  })
})

describe('clone()', () => {
  it('lets the body be read twice', async () => {
    const server = await serve('cloned body')
    const res = await fetch(server.url)
    const copy = res.clone()
    expect(copy.status).toBe(200)
    expect(copy.headers.get('content-type')).toBe('text/plain')
    const [a, b] = await Promise.all([res.text(), copy.text()])
    expect(a).toBe('cloned body')
    expect(b).toBe('cloned body')
  })

  it('throws a TypeError once the body is used', async () => {
    const server = await serve('used')
    const res = await fetch(server.url)
    await res.text()
    expect(() => res.clone()).toThrow(TypeError)
  })
})
