import { STATUS_CODES } from 'node:http'
import { type ChunkSource, chunkBytes } from './body.js'
import type { BodyAbort } from './byte-stream.js'
import { ConnectionEvents } from './connection-diagnostics.js'
import { hopCookies, rawHeaderValues, storeCookies } from './cookies.js'
import { type RequestTrace, traced, traceRequest } from './diagnostics.js'
import {
  AbortError,
  ClientClosedError,
  fromNative,
  HyperHttpError,
  InvalidArgumentError,
  RequestBodyError,
} from './errors.js'
import { expandHeaders, headerValue } from './headers.js'
import { LiveTable } from './live-table.js'
import {
  EVENT_CHUNK,
  EVENT_CONNECTION,
  EVENT_COOKIE,
  EVENT_ERROR,
  EVENT_FILTER,
  EVENT_HEAD,
  EVENT_LOOKUP,
  EVENT_NEED,
  EVENT_RETRY,
  EVENT_SLOTS,
  encodeRequestOptions,
  HEADER_SET_FIELDS,
  type NativeClient,
  type NativeClientOptions,
  type NativeMockRoutes,
  type NativePoolStats,
  nativeBinding,
} from './native.js'
import type { Outgoing } from './outgoing.js'
import { expectedBodySize, type ProgressCallbacks, ProgressReporter } from './progress.js'
import type { Resolver } from './resolver.js'
import { Response, type ResponseContent, type ResponseHead } from './response.js'
import { type RetryHandler, retryInfo } from './retry.js'
import { StreamedBody } from './streamed-body.js'
import { RequestTimings } from './timings.js'
import type { CookieJar, ProgressCallback } from './types.js'
import { withoutCredentials } from './url.js'

const EMPTY = Buffer.alloc(0)
/** The HEAD event's HTTP version for HTTP/2, which has no reason phrase. */
const HTTP_2 = 20

/**
 * Dispatchers with live exchanges. The engine only holds a weak reference, so this keeps a
 * client that user code dropped alive until its requests settle.
 */
const busy = new Set<Dispatcher>()

/** One request in flight: the promise it owes, its abort listener and its body streams. */
export class Exchange {
  readonly dispatcher: Dispatcher
  readonly id: number
  readonly method: string
  /** The URL of the attempt in flight (a beforeRetry hook may change it). */
  url: string
  readonly signal: AbortSignal | undefined
  /** Reject like fetch (TypeError / signal.reason) instead of with typed errors. */
  readonly fetchMode: boolean
  resolve: ((response: Response) => void) | null = null
  reject: ((error: unknown) => void) | null = null
  upload: Upload | null = null
  /** Runs the `beforeRetry` hooks when the engine pauses before a retry. */
  onRetry: RetryHandler | null = null
  /** The response body waiting for the answer to a `read`. */
  reader: StreamedBody | null = null
  /** Why the body ended while nobody was reading; the next read rejects with it. */
  failure: unknown
  /** The engine owes an event (head or chunk); the client is ref'd while any does. */
  waiting = false
  /** Registered for cancellation when its body is garbage-collected unread. */
  streaming = false
  done = false
  /** Its diagnostics_channel messages, when anyone subscribes. */
  trace: RequestTrace | null = null
  /** When its steps happened, from its response head on. */
  timings: RequestTimings | null = null
  /** Progress: of a buffered request body (reported when the head arrives), and the download's. */
  sentBody: ProgressReporter | null = null
  onDownloadProgress: ProgressCallback | null = null
  download: ProgressReporter | null = null
  /** Bytes at the start of the next chunk that progress already counted (a `pullAll` prefix). */
  countedPrefix = 0

  constructor(
    dispatcher: Dispatcher,
    id: number,
    method: string,
    url: string,
    signal: AbortSignal | undefined,
    fetchMode: boolean,
  ) {
    this.dispatcher = dispatcher
    this.id = id
    this.method = method
    this.url = withoutCredentials(url)
    this.signal = signal
    this.fetchMode = fetchMode
  }

  /** The abort listener (an object listener: no closure per request). */
  handleEvent(): void {
    this.dispatcher.abort(this)
  }
}

/** Feeds a streamed request body to the engine, one chunk per NEED. */
class Upload {
  readonly #exchange: Exchange
  readonly #source: ChunkSource
  readonly #progress: ProgressReporter | null

  constructor(exchange: Exchange, source: ChunkSource, progress: ProgressReporter | null) {
    this.#exchange = exchange
    this.#source = source
    this.#progress = progress
  }

  next(): void {
    try {
      this.#source.read().then(this.#onResult, this.#onError)
    } catch (error) {
      this.#onError(error)
    }
  }

  cancel(): void {
    this.#source.cancel().catch(ignore)
  }

  readonly #onResult = (result: { done?: boolean | undefined; value?: unknown }): void => {
    const exchange = this.#exchange
    if (exchange.done) return
    if (result.done === true) {
      exchange.upload = null
      exchange.dispatcher.write(exchange, null)
      this.#progress?.finish()
      return
    }
    let chunk: Buffer
    try {
      chunk = chunkBytes(result.value)
    } catch (error) {
      this.#onError(error)
      return
    }
    if (chunk.length === 0) {
      this.next()
      return
    }
    exchange.dispatcher.write(exchange, chunk)
    this.#progress?.add(chunk.length)
  }

  readonly #onError = (error: unknown): void => {
    this.#exchange.dispatcher.failUpload(this.#exchange, error)
  }
}

/**
 * Owns one native client: allocates request ids, keeps the id -> exchange map, decodes the
 * engine's event batches and settles promises and body streams. Everything here is the hot
 * path: no closures per request, records decoded in place.
 */
export class Dispatcher {
  readonly #native: NativeClient
  readonly #live = new LiveTable<Exchange>()
  readonly #unread: FinalizationRegistry<Exchange>
  #waiting = 0
  #closed = false
  /** Publish on the undici-compatible diagnostics channels too. */
  readonly #undiciChannels: boolean
  /** Answers the engine's LOOKUP and FILTER questions, when the client has those hooks. */
  readonly #resolver: Resolver | null
  /** Connection events on diagnostics_channel. */
  readonly #connections: ConnectionEvents
  /** The engine's timings rows, rewritten batch after batch (a new one when it grows). */
  #timingRows: Float64Array | undefined
  /** A cookie jar kept in JavaScript, asked on every hop (COOKIE events). */
  readonly #cookieJar: CookieJar | null
  /** The engine's numbers for default header lists (see `#headerSet`), by list. */
  readonly #headerSets = new Map<string[], number>()

  constructor(
    options: NativeClientOptions,
    undiciChannels = true,
    resolver: Resolver | null = null,
    cookieJar: CookieJar | null = null,
  ) {
    this.#undiciChannels = undiciChannels
    this.#resolver = resolver
    this.#cookieJar = cookieJar
    // Weak, so a client dropped without close() can still be collected once idle.
    const self = new WeakRef(this)
    const { NativeClient } = nativeBinding()
    try {
      this.#native = new NativeClient(options, (events) => {
        const dispatcher = self.deref()
        if (dispatcher !== undefined) dispatcher.#onEvents(events)
      })
    } catch (error) {
      throw nativeError(error, undefined)
    }
    this.#connections = new ConnectionEvents(this.#native, undiciChannels)
    this.#unread = new FinalizationRegistry((exchange) => self.deref()?.release(exchange))
  }

  /**
   * Starts a request. Rejections follow `fetchMode`: fetch's TypeErrors or typed errors.
   * With `onRetry`, the engine pauses before each retry until `onRetry` gives the request to
   * send next.
   */
  send(
    request: Outgoing,
    fetchMode: boolean,
    onRetry: RetryHandler | null = null,
  ): Promise<Response> {
    const { method, url, body, options, signal } = request
    if (this.#closed || signal?.aborted) {
      const shown = withoutCredentials(url)
      const error = this.#closed
        ? new ClientClosedError(undefined, { url: shown })
        : abortError(shown, signal)
      body.stream?.cancel(error).catch(ignore)
      return Promise.reject(publicError(error, fetchMode, true))
    }
    const id = this.#live.nextId()
    const exchange = new Exchange(this, id, method, url, signal, fetchMode)
    const { promise, resolve, reject } = Promise.withResolvers<Response>()
    exchange.resolve = resolve
    exchange.reject = reject
    let native = options
    const progress = request.progress ?? null
    // The client's default headers were parsed by the engine once; only the request's own
    // cross, unless a progress callback or a diagnostics subscriber reads the whole list.
    let headers = request.headers
    let defaults = 0
    const tracing = traced(this.#undiciChannels)
    if (request.defaults !== null) {
      if (progress === null && !tracing) {
        defaults = this.#headerSet(request.defaults)
      }
      if (defaults === 0) headers = expandHeaders(headers, request.defaults, request.mask)
    }
    if (body.stream !== null) {
      native = options ?? {}
      native.streamBody = true
      const reporter = uploadReporter(this, exchange, progress, headers, null)
      exchange.upload = new Upload(exchange, body.stream, reporter)
    } else if (progress !== null) {
      exchange.sentBody = uploadReporter(this, exchange, progress, headers, body.bytes)
    }
    if (progress?.download != null) exchange.onDownloadProgress = progress.download
    if (onRetry !== null) {
      native = { ...native, beforeRetry: true }
      exchange.onRetry = onRetry
    }
    if (this.#cookieJar !== null) native = { ...native, cookies: true }
    this.#live.add(exchange)
    if (this.#live.size === 1) busy.add(this)
    this.#expect(exchange)
    this.#connections.sync()
    exchange.trace = tracing ? traceRequest(this.#undiciChannels, method, url, headers) : null
    try {
      const sent = exchange.trace === null ? headers : exchange.trace.request.headers
      const slots = encodeRequestOptions(native)
      this.#native.request(id, method, url, sent, body.bytes, slots, defaults, request.mask)
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), false)
      return promise
    }
    signal?.addEventListener('abort', exchange)
    return promise
  }

  /**
   * The engine's number for the default header list `list` (registered the first time), or 0
   * when the engine refused it: then the list crosses with each request, whose ERROR event
   * reports the bad field as it did before the list was registered.
   */
  #headerSet(list: string[]): number {
    const known = this.#headerSets.get(list)
    if (known !== undefined) return known
    let set = 0
    try {
      // A mask chooses among the first fields only (requestHeaderParts sends the rest as own).
      const maskable = 2 * HEADER_SET_FIELDS
      set = this.#native.headerSet(list.length > maskable ? list.slice(0, maskable) : list)
    } catch {}
    this.#headerSets.set(list, set)
    return set
  }

  /** Asks the engine for the next chunk of `exchange`'s body, answered through `body`. */
  pull(exchange: Exchange, body: StreamedBody): void {
    if (!this.#readable(exchange, body)) return
    let ready: Buffer | null
    try {
      ready = this.#native.read(exchange.id)
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), false)
      return
    }
    // Bytes the engine already had come back at once (an empty buffer is the end); otherwise
    // a CHUNK or ERROR event answers later.
    if (ready === null) this.#expect(exchange)
    else this.#onChunk(exchange, ready.length === 0 ? undefined : ready, ready.length === 0)
  }

  /** Asks the engine for the rest of `exchange`'s body in one buffer, answered through `body`. */
  pullAll(exchange: Exchange, body: StreamedBody, prefix: Buffer | undefined): void {
    if (!this.#readable(exchange, body)) return
    // The whole body comes back with `prefix` in front, which progress has counted already.
    exchange.countedPrefix = prefix?.length ?? 0
    try {
      this.#native.readAll(exchange.id, prefix)
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), false)
      return
    }
    this.#expect(exchange)
  }

  /** Makes `body` the reader of `exchange`, or fails it when the exchange is over. */
  #readable(exchange: Exchange, body: StreamedBody): boolean {
    if (exchange.done) {
      body.fail(exchange.failure ?? new ClientClosedError(undefined, { url: exchange.url }))
      return false
    }
    exchange.reader = body
    return true
  }

  /** Sends one chunk of a streamed request body (`null` ends it). */
  write(exchange: Exchange, chunk: Buffer | null): void {
    if (exchange.done) return
    try {
      this.#native.write(exchange.id, chunk)
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), true)
    }
  }

  /** The user's request body stream failed: the request fails with RequestBodyError. */
  failUpload(exchange: Exchange, cause: unknown): void {
    const error = new RequestBodyError('reading the request body failed', {
      url: exchange.url,
      cause,
    })
    this.#fail(exchange, error, true)
  }

  /** The exchange's AbortSignal fired. */
  abort(exchange: Exchange): void {
    this.#fail(exchange, abortError(exchange.url, exchange.signal), true)
  }

  /** A callback of the request (a progress callback) threw: the request ends with `reason`. */
  abandon(exchange: Exchange, reason: unknown): void {
    this.#stop(exchange, reason)
  }

  /** The body is no longer wanted (stream cancelled or collected unread): free the connection. */
  release(exchange: Exchange): void {
    if (exchange.done) return
    this.#cancelNative(exchange)
    this.#finish(exchange)
  }

  /** The engine's pool statistics, as they crossed. */
  stats(): NativePoolStats {
    return this.#native.stats()
  }

  /** Sends new connections to a mock server's routes, or (`null`) to the network again. */
  setMockRoutes(routes: NativeMockRoutes | null): void {
    if (!this.#closed) this.#native.setMockRoutes(routes)
  }

  /** Fails everything in flight with ClientClosedError and frees the engine's pool. */
  close(): void {
    if (this.#closed) return
    for (const exchange of this.#live.values()) {
      this.#fail(exchange, new ClientClosedError(undefined, { url: exchange.url }), false)
    }
    this.#closed = true
    this.#connections.closeAll()
    try {
      this.#native.close()
    } catch {
      // Already closed on the engine side; nothing is left to free.
    }
  }

  #onEvents(events: unknown[]): void {
    const live = this.#live
    // HEAD and ERROR records own a row each of the timings array, which follows the records
    // when it is new.
    const records = events.length - (events.length % EVENT_SLOTS)
    if (records < events.length) this.#timingRows = events[records] as Float64Array
    const timings = this.#timingRows
    let row = 0
    for (let i = 0; i < records; i += EVENT_SLOTS) {
      const kind = events[i]
      const timed = kind === EVENT_HEAD || kind === EVENT_ERROR ? row++ : -1
      if (kind === EVENT_CONNECTION) {
        this.#connections.publish(events, i)
        continue
      }
      if (kind === EVENT_LOOKUP || kind === EVENT_FILTER) {
        this.#onQuestion(events, i)
        continue
      }
      const exchange = live.get(events[i + 1] as number)
      if (exchange === undefined) continue // cancelled: late events are dropped
      try {
        switch (kind) {
          case EVENT_HEAD:
            this.#onHead(exchange, events, i, timings as Float64Array, timed)
            break
          case EVENT_CHUNK:
            this.#onChunk(exchange, events[i + 2] as Buffer | undefined, events[i + 3] === true)
            break
          case EVENT_ERROR:
            this.#onError(exchange, events, i, timings, timed)
            break
          case EVENT_NEED:
            if (exchange.upload === null) this.write(exchange, null)
            else exchange.upload.next()
            break
          case EVENT_RETRY:
            this.#onRetry(exchange, events, i)
            break
          case EVENT_COOKIE:
            this.#onCookies(exchange, events, i)
            break
        }
      } catch (cause) {
        const error = new HyperHttpError('handling a response event failed', {
          url: exchange.url,
          cause,
        })
        this.#fail(exchange, error, true)
      }
    }
  }

  #onHead(
    exchange: Exchange,
    events: unknown[],
    i: number,
    table: Float64Array,
    row: number,
  ): void {
    const status = events[i + 2] as number
    const attempts = events[i + 9] as number
    const timings = new RequestTimings(table, row, attempts)
    exchange.timings = timings
    const rawHeaders = events[i + 3] as string
    const bytes = events[i + 4] as Buffer | undefined
    const complete = events[i + 5] === true
    const bodiless = exchange.method === 'HEAD' || isNullBodyStatus(status)
    this.#settle(exchange)
    if (exchange.sentBody !== null) finishBufferedUpload(exchange.sentBody)
    if (exchange.onDownloadProgress !== null) {
      this.#startDownload(exchange, bodiless ? '' : rawHeaders, bytes)
    }
    if (exchange.done) return // a progress callback threw: the request failed with it
    let content: ResponseContent
    let abort: BodyAbort | null = null
    if (bodiless) {
      content = null
      exchange.download?.finish()
      if (complete) this.#finish(exchange)
      else this.release(exchange)
    } else if (complete) {
      content = bytes ?? EMPTY
      exchange.download?.finish()
      this.#finish(exchange)
      // The exchange no longer hears the signal; the response watches it for its body.
      const signal = exchange.signal
      if (signal !== undefined) abort = new SignalAbort(signal, exchange.url, exchange.fetchMode)
    } else {
      content = new StreamedBody(this, exchange, bytes)
      exchange.streaming = true
      this.#unread.register(content, exchange, exchange)
    }
    const resolve = exchange.resolve
    exchange.resolve = null
    exchange.reject = null
    const finalUrl = events[i + 6] as string | undefined
    const head: ResponseHead = {
      status,
      statusText: statusText(status, events[i + 7] as number, events[i + 8] as string | undefined),
      rawHeaders,
      url: finalUrl ?? exchange.url,
      redirected: finalUrl !== undefined,
      attempts,
      timings,
    }
    const trace = exchange.trace
    if (trace !== null) {
      this.#connections.sentHeaders(trace.request, timings.connection)
      trace.response(head)
    }
    const response = new Response(head, content, abort)
    const jar = this.#cookieJar
    if (jar !== null) {
      const setCookies = rawHeaderValues(rawHeaders, 'set-cookie')
      if (setCookies.length > 0) {
        // The jar holds the response's cookies before the caller sees it (as got does).
        storeCookies(jar, head.url, setCookies).then(() => resolve?.(response))
        return
      }
    }
    resolve?.(response)
  }

  /**
   * Download progress from the head on: its total (from `rawHeaders`, `''` for a response
   * without a body), and the body bytes that came with it.
   */
  #startDownload(exchange: Exchange, rawHeaders: string, bytes: Buffer | undefined): void {
    const callback = exchange.onDownloadProgress as ProgressCallback
    const encoded = rawHeaderValues(rawHeaders, 'content-encoding').length > 0
    const total = expectedBodySize(rawHeaderValues(rawHeaders, 'content-length')[0], encoded)
    const reporter = new ProgressReporter(callback, total, (error) => this.#stop(exchange, error))
    if (bytes !== undefined) reporter.add(bytes.length)
    exchange.download = reporter
  }

  #onChunk(exchange: Exchange, chunk: Buffer | undefined, last: boolean): void {
    this.#settle(exchange)
    if (exchange.download !== null) {
      countDownload(exchange.download, chunk, last, exchange.countedPrefix)
      exchange.countedPrefix = 0
      if (exchange.done) return // the progress callback threw: the body failed with it
    }
    const reader = exchange.reader
    exchange.reader = null
    if (last) {
      exchange.timings?.finish()
      this.#finish(exchange)
    }
    reader?.deliver(chunk, last)
  }

  #onError(
    exchange: Exchange,
    events: unknown[],
    i: number,
    table: Float64Array | undefined,
    row: number,
  ): void {
    const attempts = events[i + 6] as number
    const error = fromNative(
      events[i + 2] as string,
      events[i + 3] as string,
      events[i + 4] as string | undefined,
      (events[i + 5] as string | undefined) ?? exchange.url,
      attempts,
      events[i + 7] as number | undefined,
      events[i + 8] === undefined ? undefined : this.#resolver?.takeCause(events[i + 8] as number),
    )
    if (RequestTimings.known(table, row)) error.timings = new RequestTimings(table, row, attempts)
    this.#fail(exchange, error, false)
  }

  /** A LOOKUP or FILTER question (slot 1 is its token, not a request id). */
  #onQuestion(events: unknown[], i: number): void {
    const resolver = this.#resolver
    if (resolver === null || this.#closed) return
    const token = events[i + 1] as number
    if (events[i] === EVENT_LOOKUP) {
      resolver.lookup(this.#native, token, events[i + 2] as string, events[i + 3] as 0 | 4 | 6)
    } else if (events[i] === EVENT_FILTER) {
      resolver.filter(this.#native, token, events[i + 2] as string, events[i + 3] as string)
    }
  }

  /** The engine paused before a retry: the hooks decide how the request goes on. */
  #onRetry(exchange: Exchange, events: unknown[], i: number): void {
    const onRetry = exchange.onRetry
    if (onRetry === null) throw new Error('the engine paused a request without beforeRetry hooks')
    onRetry(retryInfo(events, i, exchange.url)).then(
      (next) => this.#retry(exchange, next),
      (reason: unknown) => this.#stop(exchange, reason),
    )
  }

  /** The engine asks for a hop's cookies: the jar stores what came before and answers. */
  #onCookies(exchange: Exchange, events: unknown[], i: number): void {
    const jar = this.#cookieJar
    if (jar === null) throw new Error('the engine asked for cookies of a client without a jar')
    hopCookies(
      jar,
      events[i + 2] as string,
      events[i + 3] as string | undefined,
      events[i + 4] as string | undefined,
    ).then(
      (cookie) => this.#answerCookies(exchange, cookie),
      (reason: unknown) => this.#stop(exchange, reason),
    )
  }

  #answerCookies(exchange: Exchange, cookie: string): void {
    if (exchange.done) return
    try {
      this.#native.cookies(exchange.id, cookie === '' ? null : cookie)
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), true)
    }
  }

  /** Lets the engine's next attempt go with `next`. */
  #retry(exchange: Exchange, next: Outgoing): void {
    if (exchange.done) return
    exchange.url = withoutCredentials(next.url)
    const stream = next.body.stream
    if (stream !== null) {
      const error = new InvalidArgumentError(
        'a beforeRetry hook set a stream body, which cannot be sent again: use a buffered body (string, Buffer, Blob, FormData, ...)',
        { url: exchange.url },
      )
      stream.cancel(error).catch(ignore)
      this.#fail(exchange, error, true)
      return
    }
    const headers = expandHeaders(next.headers, next.defaults, next.mask)
    try {
      this.#native.retry(
        exchange.id,
        next.method,
        next.url,
        exchange.trace === null ? headers : exchange.trace.retryHeaders(headers),
        next.body.bytes,
        encodeRequestOptions(next.options),
      )
    } catch (error) {
      this.#fail(exchange, nativeError(error, exchange.url), true)
    }
  }

  /**
   * A hook, the cookie jar or a progress callback threw: the request ends with what it threw,
   * before the response or while its body is read.
   */
  #stop(exchange: Exchange, reason: unknown): void {
    if (exchange.done) return
    exchange.trace?.fail(reason)
    this.#cancelNative(exchange)
    this.#finish(exchange)
    const reject = exchange.reject
    exchange.resolve = null
    exchange.reject = null
    if (reject !== null) {
      reject(reason)
      return
    }
    const reader = exchange.reader
    exchange.reader = null
    if (reader === null) exchange.failure = reason
    else reader.fail(reason)
  }

  /** Ends `exchange` with `error`: rejects its promise, or errors its body. Never throws. */
  #fail(exchange: Exchange, error: HyperHttpError, cancelNative: boolean): void {
    if (exchange.done) return
    // A failure after the head (the body) is timed up to the head.
    error.timings ??= exchange.timings ?? undefined
    exchange.trace?.fail(error)
    if (cancelNative) this.#cancelNative(exchange)
    this.#finish(exchange)
    const reject = exchange.reject
    if (reject !== null) {
      exchange.resolve = null
      exchange.reject = null
      reject(publicError(error, exchange.fetchMode, true))
      return
    }
    const failure = publicError(error, exchange.fetchMode, false)
    const reader = exchange.reader
    exchange.reader = null
    if (reader === null) exchange.failure = failure
    else reader.fail(failure)
  }

  #finish(exchange: Exchange): void {
    exchange.done = true
    exchange.trace?.finish()
    this.#settle(exchange)
    this.#live.delete(exchange)
    if (this.#live.size === 0) busy.delete(this)
    exchange.signal?.removeEventListener('abort', exchange)
    if (exchange.streaming) this.#unread.unregister(exchange)
    const upload = exchange.upload
    if (upload !== null) {
      exchange.upload = null
      upload.cancel()
    }
  }

  #expect(exchange: Exchange): void {
    if (exchange.waiting) return
    exchange.waiting = true
    if (this.#waiting++ === 0) this.#native.ref()
  }

  #settle(exchange: Exchange): void {
    if (!exchange.waiting) return
    exchange.waiting = false
    if (--this.#waiting === 0 && !this.#closed) this.#native.unref()
  }

  #cancelNative(exchange: Exchange): void {
    try {
      this.#native.cancel(exchange.id)
    } catch {
      // cancel is documented as always safe; a throw means there was nothing to cancel.
    }
  }
}

/**
 * A body that arrived whole fails its reads once the request's signal fires, as the platform
 * fetch fails an unread body aborted after the response resolved.
 */
class SignalAbort implements BodyAbort {
  readonly #signal: AbortSignal
  readonly #url: string
  readonly #fetchMode: boolean

  constructor(signal: AbortSignal, url: string, fetchMode: boolean) {
    this.#signal = signal
    this.#url = url
    this.#fetchMode = fetchMode
  }

  get fired(): boolean {
    return this.#signal.aborted
  }

  error(): unknown {
    return publicError(abortError(this.#url, this.#signal), this.#fetchMode, false)
  }
}

/**
 * The reporter of a request body's upload progress, when `onUploadProgress` is set: a buffered
 * body's size is known, a stream's is its `content-length` header, else unknown (0).
 */
function uploadReporter(
  dispatcher: Dispatcher,
  exchange: Exchange,
  progress: ProgressCallbacks | null,
  headers: string[],
  bytes: Buffer | null,
): ProgressReporter | null {
  const callback = progress?.upload ?? null
  if (callback === null) return null
  const total = bytes === null ? declaredLength(headers) : bytes.length
  return new ProgressReporter(callback, total, (error) => dispatcher.abandon(exchange, error))
}

/** A buffered body counts as sent, all of it, once the response head arrived. */
function finishBufferedUpload(reporter: ProgressReporter): void {
  reporter.add(reporter.total)
  reporter.finish()
}

/** A request's `content-length` header as a number; 0 when absent. */
function declaredLength(headers: string[]): number {
  return expectedBodySize(headerValue(headers, 'content-length') ?? undefined, false)
}

/** The download-progress step of one body chunk (`last` ends the body). */
function countDownload(
  reporter: ProgressReporter,
  chunk: Buffer | undefined,
  last: boolean,
  counted: number,
): void {
  if (chunk !== undefined) reporter.add(chunk.length - counted)
  if (last) reporter.finish()
}

function abortError(url: string, signal: AbortSignal | undefined): AbortError {
  return new AbortError(undefined, { url, cause: signal?.reason })
}

/** The server's reason phrase, else the standard one (HTTP/2 has none). */
function statusText(status: number, version: number, reason: string | undefined): string {
  if (reason !== undefined) return reason
  return version === HTTP_2 ? '' : (STATUS_CODES[status] ?? '')
}

function isNullBodyStatus(status: number): boolean {
  return status === 204 || status === 304 || status === 205 || status === 101 || status === 103
}

/**
 * The error user code sees. Client methods get typed errors; fetch gets what the platform
 * fetch raises: `signal.reason` for an abort, else `TypeError('fetch failed')` before the
 * response and `TypeError('terminated')` while reading its body, the typed error as cause.
 */
export function publicError(
  error: HyperHttpError,
  fetchMode: boolean,
  beforeResponse: boolean,
): unknown {
  if (!fetchMode) return error
  if (error instanceof AbortError) return error.cause
  return new TypeError(beforeResponse ? 'fetch failed' : 'terminated', { cause: error })
}

/** An engine error thrown synchronously by the binding: its fields are those of an ERROR record. */
interface NativeThrown extends Error {
  code: string
  phase?: string
  url?: string
  attempts: number
}

function isNativeThrown(error: unknown): error is NativeThrown {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_')
}

/**
 * A synchronous throw from the binding (see crates/node/README.md), as the typed error it
 * describes. Anything but an engine error (such as napi-rs refusing an argument) means the
 * facade passed a value the contract does not allow.
 */
export function nativeError(error: unknown, url: string | undefined): HyperHttpError {
  if (error instanceof HyperHttpError) return error
  if (isNativeThrown(error)) {
    return fromNative(error.code, error.message, error.phase, error.url ?? url, error.attempts)
  }
  const message = error instanceof Error ? error.message : String(error)
  return new InvalidArgumentError(message, { url, cause: error })
}

function ignore(): void {}
