import { STATUS_CODES } from 'node:http'
import { parseRawHeaders } from './headers.js'
import { StreamedBody } from './streamed-body.js'

/** What a response carries: nothing, all bytes, bytes still in the engine, or a stream. */
export type ResponseContent = Buffer | StreamedBody | ReadableStream<Uint8Array> | null

const EMPTY = Buffer.alloc(0)
const UTF8_BOM = 0xfeff

/**
 * An HTTP response with the surface of the platform `Response`. Headers stay one raw string
 * until `headers` is first read; a body that arrived whole is decoded straight from its
 * bytes, and a `ReadableStream` is only created when `body` is read.
 *
 * Responses are created by hyperhttp; the constructor is not part of the public API.
 *
 * @example
 * ```ts
 * const res = await fetch('https://example.com/data.json')
 * if (!res.ok) throw new Error(`HTTP ${res.status}`)
 * const data = await res.json()
 * ```
 */
export class Response {
  /** HTTP status code. */
  readonly status: number
  /** Final URL, after redirects. */
  readonly url: string
  /** Whether redirects were followed to get here. */
  readonly redirected: boolean
  /** Attempts the engine made to get this response (1 when it was not retried). */
  readonly attempts: number
  /** HTTP version: 10, 11 or 20. */
  readonly #version: number
  /** The server's reason phrase when it is not the standard one for the status. */
  readonly #reason: string | undefined
  readonly #rawHeaders: string
  #headers: Headers | null = null
  #content: ResponseContent
  #stream: ReadableStream<Uint8Array> | null = null
  #used = false

  /** @internal */
  constructor(
    status: number,
    rawHeaders: string,
    url: string,
    redirected: boolean,
    version: number,
    reason: string | undefined,
    attempts: number,
    content: ResponseContent,
  ) {
    this.status = status
    this.#rawHeaders = rawHeaders
    this.url = url
    this.redirected = redirected
    this.#version = version
    this.#reason = reason
    this.attempts = attempts
    this.#content = content
    if (content instanceof ReadableStream) this.#stream = content
  }

  /** Whether the status is 200-299. */
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299
  }

  /** The server's reason phrase (HTTP/2 has none, so it is empty there). */
  get statusText(): string {
    if (this.#reason !== undefined) return this.#reason
    return this.#version === 20 ? '' : (STATUS_CODES[this.status] ?? '')
  }

  /** Always `'basic'`. */
  get type(): 'basic' {
    return 'basic'
  }

  /** Response headers, parsed on first access; `getSetCookie()` works. */
  get headers(): Headers {
    if (this.#headers === null) {
      this.#headers = parseRawHeaders(this.#rawHeaders)
    }
    return this.#headers
  }

  /** The body as a stream of bytes, created on first access; `null` when there is no body. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== null) return this.#stream
    const content = this.#content
    if (content === null) return null
    if (this.#used) {
      // Already consumed by text() or another reader: an empty, finished stream.
      this.#stream = bytesStream(EMPTY, ignore)
    } else if (content instanceof StreamedBody) {
      this.#stream = new ReadableStream(content, { highWaterMark: 0 })
    } else {
      this.#stream = bytesStream(content as Buffer, () => {
        this.#used = true
      })
    }
    return this.#stream
  }

  /** Whether the body has been read (a teed stream counts once a reader holds it). */
  get bodyUsed(): boolean {
    const content = this.#content
    if (this.#used) return true
    if (content instanceof StreamedBody) return content.used
    return content instanceof ReadableStream && content.locked
  }

  /** The body decoded as UTF-8 (a leading byte order mark is dropped). */
  async text(): Promise<string> {
    const bytes = this.#take()
    return utf8(bytes instanceof Buffer ? bytes : await bytes)
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    const bytes = this.#take()
    return JSON.parse(utf8(bytes instanceof Buffer ? bytes : await bytes))
  }

  /** The body as an `ArrayBuffer`. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take()
    return exactArrayBuffer(bytes instanceof Buffer ? bytes : await bytes)
  }

  /** The body as a `Uint8Array`. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = this.#take()
    return new Uint8Array(exactArrayBuffer(bytes instanceof Buffer ? bytes : await bytes))
  }

  /** The body as a `Blob` typed with the response's content-type. */
  async blob(): Promise<Blob> {
    const bytes = this.#take()
    const type = this.headers.get('content-type') ?? ''
    return new Blob([bytes instanceof Buffer ? bytes : await bytes], { type })
  }

  /** The body parsed as `multipart/form-data` or `application/x-www-form-urlencoded`. */
  async formData(): Promise<FormData> {
    const bytes = this.#take()
    const data = bytes instanceof Buffer ? bytes : await bytes
    const contentType = this.headers.get('content-type') ?? ''
    return new globalThis.Response(data, { headers: { 'content-type': contentType } }).formData()
  }

  /** A copy whose body can be read independently (a streamed body is teed). */
  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.')
    let content = this.#content
    if (content instanceof Buffer && this.#stream === null) {
      content = Buffer.from(content)
    } else if (content !== null) {
      const [mine, theirs] = (this.body as ReadableStream<Uint8Array>).tee()
      this.#stream = mine
      this.#content = mine
      content = theirs
    }
    return new Response(
      this.status,
      this.#rawHeaders,
      this.url,
      this.redirected,
      this.#version,
      this.#reason,
      this.attempts,
      content,
    )
  }

  /** Marks the body used and returns its bytes (synchronously when they are at hand). */
  #take(): Buffer | Promise<Buffer> {
    if (this.bodyUsed || this.#stream?.locked === true) {
      throw new TypeError('Body is unusable: Body has already been read')
    }
    const content = this.#content
    if (content === null) return EMPTY
    this.#used = true
    if (this.#stream !== null) return readStream(this.#stream)
    if (content instanceof StreamedBody) return content.readAll()
    return content as Buffer
  }
}

function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8')
  return text.charCodeAt(0) === UTF8_BOM ? text.slice(1) : text
}

/** An ArrayBuffer holding exactly `bytes`, without a copy when the buffer is not shared. */
function exactArrayBuffer(bytes: Buffer): ArrayBuffer {
  const buffer = bytes.buffer
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength &&
    buffer instanceof ArrayBuffer
  ) {
    return buffer
  }
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

/** A stream of bytes already at hand; the first read marks the body used. */
function bytesStream(bytes: Buffer, onRead: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        onRead()
        if (bytes.length > 0) controller.enqueue(bytes)
        controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function ignore(): void {}
