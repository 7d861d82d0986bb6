import { describe } from './describe.js'
import { InvalidArgumentError } from './errors.js'

/** Anything that can be sent as a request body. */
export type RequestBody =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | FormData
  | URLSearchParams
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | null

/** A body the engine pulls chunk by chunk (answering NEED events). */
export interface ChunkSource {
  read(): Promise<{ done?: boolean | undefined; value?: unknown }>
  cancel(reason?: unknown): Promise<unknown>
}

/** A request body ready for the engine: whole bytes, a chunk source, or nothing. */
export interface EncodedBody {
  bytes: Buffer | null
  stream: ChunkSource | null
  /** The content-type the body implies, used when no header sets one. */
  type: string | null
}

const NO_BODY: EncodedBody = { bytes: null, stream: null, type: null }
const TEXT = 'text/plain;charset=UTF-8'
const FORM_URLENCODED = 'application/x-www-form-urlencoded;charset=UTF-8'
const JSON_TYPE = 'application/json'

/**
 * Whether `body` is sent as a stream (fetch then requires `duplex: 'half'`): a
 * ReadableStream, or an (async) iterable of chunks that is none of the other body types.
 */
export function isStreamBody(body: unknown): boolean {
  if (body instanceof ReadableStream) return true
  if (typeof body !== 'object' || body === null) return false
  if (Symbol.asyncIterator in body) return true
  return (
    Symbol.iterator in body &&
    !ArrayBuffer.isView(body) &&
    !(body instanceof URLSearchParams) &&
    !(body instanceof FormData)
  )
}

/**
 * Encodes a body the way the platform fetch does. Bytes are used without a copy: a buffer
 * must not be modified until the request settles. Blob and FormData are read asynchronously.
 */
export function encodeBody(body: unknown): EncodedBody | Promise<EncodedBody> {
  if (body === undefined || body === null) return NO_BODY
  if (typeof body === 'string') return bytes(Buffer.from(body), TEXT)
  if (ArrayBuffer.isView(body)) {
    return bytes(Buffer.from(body.buffer, body.byteOffset, body.byteLength), null)
  }
  if (body instanceof ArrayBuffer || body instanceof SharedArrayBuffer) {
    return bytes(Buffer.from(body), null)
  }
  if (body instanceof URLSearchParams) return bytes(Buffer.from(body.toString()), FORM_URLENCODED)
  if (body instanceof Blob) return encodeBlob(body)
  if (body instanceof FormData) return encodeFormData(body)
  if (body instanceof ReadableStream) return { bytes: null, stream: streamSource(body), type: null }
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    const iterable = body as AsyncIterable<unknown>
    return { bytes: null, stream: new IteratorSource(iterable[Symbol.asyncIterator]()), type: null }
  }
  if (typeof body === 'object' && Symbol.iterator in body) {
    const iterable = body as Iterable<unknown>
    return { bytes: null, stream: new IteratorSource(iterable[Symbol.iterator]()), type: null }
  }
  throw new InvalidArgumentError(
    `body must be a string, Buffer, ArrayBuffer, TypedArray, DataView, Blob, FormData, URLSearchParams, ReadableStream or (async) iterable of chunks, got ${describe(body)}`,
  )
}

/** Serializes the `json` request option. */
export function encodeJson(value: unknown): EncodedBody {
  const text = JSON.stringify(value)
  if (text === undefined) {
    throw new InvalidArgumentError(`json must be JSON-serializable, got ${describe(value)}`)
  }
  return bytes(Buffer.from(text), JSON_TYPE)
}

/** Turns one chunk of a streamed request body into bytes for the engine. */
export function chunkBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.length)
  }
  if (typeof value === 'string') return Buffer.from(value)
  throw new TypeError(`request body chunks must be Uint8Array or string, got ${describe(value)}`)
}

function bytes(data: Buffer, type: string | null): EncodedBody {
  return { bytes: data, stream: null, type }
}

async function encodeBlob(blob: Blob): Promise<EncodedBody> {
  return bytes(Buffer.from(await blob.arrayBuffer()), blob.type === '' ? null : blob.type)
}

/**
 * The platform encodes multipart (with a random boundary); a Request never sent does it. The
 * entries go into a fresh FormData first: some Node versions cache the encoding of a form, and
 * every request should get its own boundary.
 */
async function encodeFormData(form: FormData): Promise<EncodedBody> {
  const fresh = new FormData()
  for (const [name, value] of form) fresh.append(name, value)
  const encoded = new Request('http://localhost/', { method: 'POST', body: fresh })
  const data = Buffer.from(await encoded.arrayBuffer())
  return bytes(data, encoded.headers.get('content-type'))
}

function streamSource(stream: ReadableStream): ChunkSource {
  if (stream.locked) throw new InvalidArgumentError('body stream is locked or already read')
  return stream.getReader()
}

/** Chunks from an iterator; a sync iterator's results are awaited the same way. */
class IteratorSource implements ChunkSource {
  readonly #iterator: AsyncIterator<unknown> | Iterator<unknown>

  constructor(iterator: AsyncIterator<unknown> | Iterator<unknown>) {
    this.#iterator = iterator
  }

  async read(): Promise<{ done?: boolean | undefined; value?: unknown }> {
    const result = await this.#iterator.next()
    return { done: result.done, value: await result.value }
  }

  async cancel(reason?: unknown): Promise<unknown> {
    return this.#iterator.return?.(reason)
  }
}
