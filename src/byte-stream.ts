import { Readable } from 'node:stream'
import type { ReadableByteStreamController, UnderlyingByteSource } from 'node:stream/web'

/**
 * Something that can fail the reads of a body after its response was returned: the request's
 * AbortSignal, which the platform fetch also obeys once the response has resolved.
 */
export interface BodyAbort {
  /** Whether reads must now fail. */
  readonly fired: boolean
  /** The error a read fails with. */
  error(): unknown
}

/**
 * A byte stream (`type: 'bytes'`, so `getReader({ mode: 'byob' })` works) over `source`. The
 * high-water mark of 0 means nothing is pulled before a reader asks.
 */
export function byteStream(source: UnderlyingByteSource): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream(source, { highWaterMark: 0 }) as ReadableStream<Uint8Array<ArrayBuffer>>
}

/**
 * Enqueues `chunk`. A byte stream takes over (detaches) the chunk's ArrayBuffer, which is only
 * safe when the chunk is the whole of it; a slice of a shared buffer is copied first.
 */
export function enqueueOwned(controller: ReadableByteStreamController, chunk: Uint8Array): void {
  const owned =
    chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength
      ? chunk
      : new Uint8Array(chunk)
  controller.enqueue(owned)
}

/** Ends the stream; a pending BYOB read is answered with `done`, as the spec requires. */
export function closeStream(controller: ReadableByteStreamController): void {
  controller.close()
  controller.byobRequest?.respond(0)
}

/** The source of a body that arrived whole: its bytes as one chunk, then the end. */
export class WholeBody implements UnderlyingByteSource {
  readonly type = 'bytes'
  #bytes: Buffer | null
  readonly #abort: BodyAbort | null

  constructor(bytes: Buffer, abort: BodyAbort | null) {
    this.#bytes = bytes
    this.#abort = abort
  }

  pull(controller: ReadableByteStreamController): void {
    if (this.#abort?.fired === true) {
      controller.error(this.#abort.error())
      return
    }
    const bytes = this.#bytes
    this.#bytes = null
    if (bytes !== null && bytes.length > 0) enqueueOwned(controller, bytes)
    closeStream(controller)
  }

  cancel(): void {
    this.#bytes = null
  }
}

/**
 * The `body` of a response consumed without a stream: ended and locked, as the platform
 * fetch leaves the stream it read.
 */
export function consumedStream(): ReadableStream<Uint8Array<ArrayBuffer>> {
  const stream = byteStream({ type: 'bytes', start: closeStream })
  stream.getReader()
  return stream
}

/** Whether `stream` was read from or cancelled. */
export function isDisturbed(stream: ReadableStream): boolean {
  // Documented for web streams too; the typings only list Node's own.
  return Readable.isDisturbed(stream as unknown as Readable)
}

/** Whether a body method can no longer read `stream`: it is locked or was read from. */
export function isUnusable(stream: ReadableStream): boolean {
  return stream.locked || isDisturbed(stream)
}

/** Reads `stream` to the end. The reader keeps the stream locked afterwards, as fetch does. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks.push(read.value)
  }
  return Buffer.concat(chunks)
}
