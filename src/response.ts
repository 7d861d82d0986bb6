import { type InspectOptionsStylized, inspect } from 'node:util'
import {
  type BodyAbort,
  byteStream,
  consumedStream,
  isDisturbed,
  isUnusable,
  readAll,
  WholeBody,
} from './byte-stream.js'
import { parseRawHeaders } from './headers.js'
import { StreamedBody } from './streamed-body.js'
import type { RequestTimings } from './timings.js'

/** What a response carries: nothing, all bytes, bytes still in the engine, or a stream. */
export type ResponseContent = Buffer | StreamedBody | ReadableStream<Uint8Array> | null

/** @internal The response line and headers; a response and its clones share one. */
export interface ResponseHead {
  status: number
  statusText: string
  /** Header names and values joined by NUL, as the engine delivers them. */
  rawHeaders: string
  /** Final URL, after redirects. */
  url: string
  redirected: boolean
  /** Attempts the engine made (0 for a response a hook made). */
  attempts: number
  /** When the request's steps happened (none for a response a hook made). */
  timings?: RequestTimings | undefined
}

const EMPTY = Buffer.alloc(0)
const UTF8_BOM = 0xfeff

/**
 * An HTTP response with the surface of the platform `Response`, and recognised as one:
 * `res instanceof globalThis.Response` is true and `Object.prototype.toString` says
 * `[object Response]`, without paying for the platform constructor. Headers stay one raw
 * string until `headers` is first read; a body that arrived whole is decoded straight from
 * its bytes, and the body's `ReadableStream` (a byte stream) is only created when `body` is
 * read.
 *
 * Responses are created by hyperhttp; the constructor is not part of the public API. The
 * static `Response.json()`, `Response.error()` and `Response.redirect()` are the platform's
 * and return platform responses.
 *
 * @example
 * ```ts
 * const res = await fetch('https://example.com/data.json')
 * if (!res.ok) throw new Error(`HTTP ${res.status}`)
 * const data = await res.json()
 * ```
 */
export class Response implements globalThis.Response {
  /** Attempts made to get this response (1 when it was not retried). */
  readonly attempts: number
  readonly #head: ResponseHead
  #headers: Headers | null = null
  /** The bytes, or what `#stream` reads when it is not a branch of a clone's tee. */
  #content: ResponseContent
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null = null
  /** Consumed by a body method. */
  #used = false
  readonly #abort: BodyAbort | null

  /** @internal */
  constructor(head: ResponseHead, content: ResponseContent, abort: BodyAbort | null = null) {
    this.attempts = head.attempts
    this.#head = head
    this.#content = content
    this.#abort = abort
    if (content instanceof ReadableStream) {
      this.#stream = content as ReadableStream<Uint8Array<ArrayBuffer>>
    }
  }

  /** HTTP status code. */
  get status(): number {
    return this.#head.status
  }

  /** The server's reason phrase (HTTP/2 has none, so it is empty there). */
  get statusText(): string {
    return this.#head.statusText
  }

  /** Whether the status is 200-299. */
  get ok(): boolean {
    const status = this.#head.status
    return status >= 200 && status <= 299
  }

  /** Final URL, after redirects. */
  get url(): string {
    return this.#head.url
  }

  /**
   * When each step of the request happened, measured in the engine (see
   * {@link RequestTimings}); `end` is set once the body has been received whole. `undefined`
   * for a response an `afterResponse` hook made.
   *
   * @example
   * ```ts
   * const res = await client.get('/report')
   * await res.arrayBuffer()
   * console.log(res.timings?.firstByte, res.timings?.end, res.timings?.reused)
   * ```
   */
  get timings(): RequestTimings | undefined {
    return this.#head.timings
  }

  /** Whether redirects were followed to get here. */
  get redirected(): boolean {
    return this.#head.redirected
  }

  /** Always `'basic'`. */
  get type(): 'basic' {
    return 'basic'
  }

  /** Response headers, parsed on first access; `getSetCookie()` works. */
  get headers(): Headers {
    if (this.#headers === null) {
      this.#headers = parseRawHeaders(this.#head.rawHeaders)
    }
    return this.#headers
  }

  /**
   * The body as a byte stream (`getReader({ mode: 'byob' })` works), created on first access;
   * `null` when there is no body. Once a body method has read it, it is locked.
   */
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream !== null) return this.#stream
    const content = this.#content
    if (content === null) return null
    if (this.#used) {
      this.#stream = consumedStream()
    } else if (content instanceof StreamedBody) {
      this.#stream = byteStream(content)
    } else {
      this.#stream = byteStream(new WholeBody(content as Buffer, this.#abort))
    }
    return this.#stream
  }

  /** Whether the body has been read, by a body method or from its stream. */
  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== null && isDisturbed(this.#stream))
  }

  /** The body decoded as UTF-8 (a leading byte order mark is dropped). */
  async text(): Promise<string> {
    return this.#convert(utf8)
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.#convert(utf8))
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

  /** The body as a `Blob`, typed with the content-type normalised as the platform does. */
  async blob(): Promise<Blob> {
    const body = await this.#convert((bytes) => new Blob([bytes]))
    const type = this.headers.get('content-type')
    if (type === null) return body
    // The platform normalises the type. An empty platform response of that type gives it
    // without copying the body through the platform's streams (a 1 MiB blob() took 3 times
    // the CPU of arrayBuffer() that way).
    const typed = await new globalThis.Response(null, { headers: { 'content-type': type } }).blob()
    return body.slice(0, body.size, typed.type)
  }

  /**
   * The body as a stream of strings, decoded as UTF-8 while it arrives (a leading byte order
   * mark is dropped, malformed bytes become U+FFFD), as Node 26's `textStream()`; an empty
   * stream when there is no body. Marks the body used, as reading it does.
   *
   * @example
   * ```ts
   * const res = await fetch('https://example.com/log.txt')
   * for await (const text of res.textStream()) process.stdout.write(text)
   * ```
   */
  textStream(): ReadableStream<string> {
    this.#refuseUnusable()
    const body = this.body
    if (body === null) return new ReadableStream({ start: (controller) => controller.close() })
    return body.pipeThrough(new TextDecoderStream('utf-8'))
  }

  /** The body parsed as `multipart/form-data` or `application/x-www-form-urlencoded`. */
  async formData(): Promise<FormData> {
    const bytes = this.#take()
    return this.#platformBody(bytes instanceof Buffer ? bytes : await bytes).formData()
  }

  /**
   * A copy whose body can be read independently. A body still arriving is teed, as the
   * platform does: each branch can be read or cancelled on its own, and the transfer stops
   * once every branch is cancelled.
   */
  clone(): Response {
    if (this.#isUnusable()) {
      throw new TypeError('Response.clone: Body has already been consumed.')
    }
    let content = this.#content
    if (content instanceof Buffer && this.#stream === null) {
      // The stream of either copy takes over the buffer it reads, so each gets its own.
      content = Buffer.from(content)
    } else if (content !== null) {
      const [mine, theirs] = (this.body as ReadableStream<Uint8Array<ArrayBuffer>>).tee()
      this.#stream = mine
      this.#content = mine
      content = theirs
    }
    return new Response(this.#head, content, this.#abort)
  }

  /** Describes the response as `console.log` shows the platform's. */
  [inspect.custom](depth: number, options: InspectOptionsStylized): string {
    const shown = {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      body: this.body,
      bodyUsed: this.bodyUsed,
      ok: this.ok,
      redirected: this.redirected,
      type: this.type,
      url: this.url,
      attempts: this.attempts,
    }
    return `Response ${inspect(shown, { ...options, depth: options.depth ?? depth })}`
  }

  get [Symbol.toStringTag](): string {
    return 'Response'
  }

  /** Whether a body method can no longer read the body (fetch's "unusable"). */
  #isUnusable(): boolean {
    return this.#used || (this.#stream !== null && isUnusable(this.#stream))
  }

  /** Throws the platform's TypeError when a body method can no longer read the body. */
  #refuseUnusable(): void {
    if (this.#isUnusable()) {
      throw new TypeError('Body is unusable: Body has already been read')
    }
  }

  /** Marks the body used and returns its bytes (synchronously when they are at hand). */
  #take(): Buffer | Promise<Buffer> {
    this.#refuseUnusable()
    const content = this.#content
    if (content === null) return EMPTY
    this.#used = true
    if (this.#abort?.fired === true) throw this.#abort.error()
    if (content instanceof ReadableStream) return readAll(content)
    // A stream created over the content but never read: lock it, read the content directly.
    this.#stream?.getReader()
    if (content instanceof StreamedBody) return content.readAll()
    return content
  }

  /**
   * `convert` applied to the body's bytes; it decodes or copies them, keeping no reference. A
   * body the engine read whole for this call is then referred to by nothing, so its buffer is
   * freed at once (`StreamedBody.free`) instead of at a later collection.
   */
  async #convert<T>(convert: (bytes: Buffer) => T): Promise<T> {
    const bytes = this.#take()
    if (bytes instanceof Buffer) return convert(bytes)
    const whole = await bytes
    try {
      return convert(whole)
    } finally {
      if (this.#content instanceof StreamedBody) StreamedBody.free(whole)
    }
  }

  /** A platform response over `bytes`, for what the platform already decodes exactly. */
  #platformBody(bytes: Buffer): globalThis.Response {
    const type = this.headers.get('content-type')
    return new globalThis.Response(
      bytes,
      type === null ? undefined : { headers: { 'content-type': type } },
    )
  }
}

// Third-party code recognises a Response by its prototype chain: the platform's prototype is
// in it, and every member of it is overridden above, so none of its brand-checked accessors
// is reachable. The statics (json, error, redirect) are inherited.
Object.setPrototypeOf(Response.prototype, globalThis.Response.prototype)
Object.setPrototypeOf(Response, globalThis.Response)

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
