import { channel } from 'node:diagnostics_channel'
import { parseRawHeaders } from './headers.js'
import type { ResponseHead } from './response.js'
import { originOf } from './url.js'

/**
 * The outgoing request as `diagnostics_channel` subscribers see it, on both hyperhttp's
 * channels and the undici-compatible ones. The same object is passed to every message of one
 * request, so subscribers can key state on it (a `WeakMap`).
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe('hyperhttp:request:create', (message) => {
 *   const { request } = message as { request: DiagnosticsRequest }
 *   request.addHeader('x-request-id', crypto.randomUUID())
 * })
 * ```
 */
export class DiagnosticsRequest {
  /** `http://host:port`, without a trailing slash (undici's `request.origin`). */
  readonly origin: string
  /** The method as sent. */
  readonly method: string
  /** Path and query (undici's `request.path`). */
  readonly path: string
  /** The full URL. */
  readonly url: string
  /**
   * The headers to send, flat: `[name0, value0, name1, value1, ...]`. Headers pushed here or
   * added with {@link addHeader} during `create` are sent.
   */
  readonly headers: string[]

  constructor(method: string, url: string, headers: string[]) {
    this.origin = originOf(url)
    this.method = method
    this.path = pathOf(url)
    this.url = url
    // A copy: the caller's list may be the client's shared default headers.
    this.headers = headers.slice()
  }

  /**
   * Adds a header to the outgoing request. Effective while `create` is being published
   * (tracing context such as `traceparent` is injected this way).
   *
   * @example
   * ```ts
   * request.addHeader('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
   * ```
   */
  addHeader(name: string, value: string): this {
    this.headers.push(String(name), String(value))
    return this
  }
}

/**
 * The response head as `hyperhttp:request:headers` subscribers see it. `headers` is parsed on
 * first read.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:request:headers', (message) => {
 *   const { response } = message as RequestHeadersMessage
 *   console.log(response.status, response.headers.get('content-type'))
 * })
 * ```
 */
export class DiagnosticsResponse {
  readonly status: number
  readonly statusText: string
  /** Final URL, after redirects. */
  readonly url: string
  readonly redirected: boolean
  /** Attempts the engine made. */
  readonly attempts: number
  readonly #raw: string
  #headers: Headers | null = null

  constructor(head: ResponseHead) {
    this.status = head.status
    this.statusText = head.statusText
    this.url = head.url
    this.redirected = head.redirected
    this.attempts = head.attempts
    this.#raw = head.rawHeaders
  }

  get headers(): Headers {
    this.#headers ??= parseRawHeaders(this.#raw)
    return this.#headers
  }
}

/** The response head in undici's shape: `headers` flat `[name, value, ...]` Buffers. */
class UndiciResponse {
  readonly statusCode: number
  readonly statusText: string
  readonly #raw: string
  #headers: Buffer[] | null = null

  constructor(head: ResponseHead) {
    this.statusCode = head.status
    this.statusText = head.statusText
    this.#raw = head.rawHeaders
  }

  get headers(): Buffer[] {
    this.#headers ??= rawHeaderBuffers(this.#raw)
    return this.#headers
  }
}

/**
 * `hyperhttp:request:create`: the request is about to be handed to the engine.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:request:create', (message) => {
 *   const { request } = message as RequestCreateMessage
 *   console.log(request.method, request.origin + request.path)
 * })
 * ```
 */
export interface RequestCreateMessage {
  request: DiagnosticsRequest
}

/**
 * `hyperhttp:request:headers`: the response head arrived.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:request:headers', (message) => {
 *   const { request, response } = message as RequestHeadersMessage
 *   console.log(request.url, response.status, response.attempts)
 * })
 * ```
 */
export interface RequestHeadersMessage {
  request: DiagnosticsRequest
  response: DiagnosticsResponse
}

/**
 * `hyperhttp:request:error`: the request failed (before or after its response head).
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:request:error', (message) => {
 *   const { request, error } = message as RequestErrorMessage
 *   console.warn(request.url, error)
 * })
 * ```
 */
export interface RequestErrorMessage {
  request: DiagnosticsRequest
  /** The typed error (`ConnectError`, `TimeoutError`, `AbortError`, ...), or what a hook threw. */
  error: unknown
}

/**
 * `hyperhttp:request:end`: the response body was received whole, or discarded.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:request:end', (message) => {
 *   console.log('done', (message as RequestEndMessage).request.url)
 * })
 * ```
 */
export interface RequestEndMessage {
  request: DiagnosticsRequest
}

const create = channel('hyperhttp:request:create')
const headers = channel('hyperhttp:request:headers')
const error = channel('hyperhttp:request:error')
const end = channel('hyperhttp:request:end')
const undiciCreate = channel('undici:request:create')
const undiciHeaders = channel('undici:request:headers')
const undiciTrailers = channel('undici:request:trailers')
const undiciError = channel('undici:request:error')

/**
 * The diagnostics of one request, from `create` to exactly one of `end` or `error`. Created
 * only when some channel has a subscriber, so an unobserved request pays a few checks.
 */
export class RequestTrace {
  readonly request: DiagnosticsRequest
  readonly #undici: boolean
  /** Length of the header list before subscribers added to it. */
  readonly #given: number
  #responded = false
  #endPending = false
  #over = false

  constructor(request: DiagnosticsRequest, undici: boolean, given: number) {
    this.request = request
    this.#undici = undici
    this.#given = given
  }

  /** The headers of a retry a `beforeRetry` hook rebuilt, with the ones subscribers added. */
  retryHeaders(next: string[]): string[] {
    const all = this.request.headers
    return all.length === this.#given ? next : next.concat(all.slice(this.#given))
  }

  /** The response head arrived. */
  response(head: ResponseHead): void {
    if (this.#over) return
    this.#responded = true
    const request = this.request
    if (headers.hasSubscribers) {
      const response = new DiagnosticsResponse(head)
      headers.publish({ request, response } satisfies RequestHeadersMessage)
    }
    if (this.#undici && undiciHeaders.hasSubscribers) {
      undiciHeaders.publish({ request, response: new UndiciResponse(head) })
    }
    if (this.#endPending) this.finish()
  }

  /** The exchange ended without error; `end` waits for the response head if it is not out. */
  finish(): void {
    if (this.#over) return
    if (!this.#responded) {
      this.#endPending = true
      return
    }
    this.#over = true
    const request = this.request
    if (this.#undici && undiciTrailers.hasSubscribers) {
      undiciTrailers.publish({ request, trailers: [] })
    }
    if (end.hasSubscribers) end.publish({ request } satisfies RequestEndMessage)
  }

  /** The exchange failed with `reason`. */
  fail(reason: unknown): void {
    if (this.#over) return
    this.#over = true
    const message: RequestErrorMessage = { request: this.request, error: reason }
    if (this.#undici && undiciError.hasSubscribers) undiciError.publish(message)
    if (error.hasSubscribers) error.publish(message)
  }
}

/** Whether a request sent now is traced: some channel it publishes on has a subscriber. */
export function traced(undici: boolean): boolean {
  return (
    create.hasSubscribers ||
    headers.hasSubscribers ||
    error.hasSubscribers ||
    end.hasSubscribers ||
    (undici && bridgedSubscribers())
  )
}

function bridgedSubscribers(): boolean {
  return (
    undiciCreate.hasSubscribers ||
    undiciHeaders.hasSubscribers ||
    undiciTrailers.hasSubscribers ||
    undiciError.hasSubscribers
  )
}

/**
 * Starts the diagnostics of a request about to be sent, publishing `create` (subscribers may
 * add headers: send `trace.request.headers`). Called only when {@link traced} says so, which
 * the caller asks once per request. `undici` also publishes on the undici-compatible channels.
 */
export function traceRequest(
  undici: boolean,
  method: string,
  url: string,
  sent: string[],
): RequestTrace {
  const bridged = undici && bridgedSubscribers()
  const request = new DiagnosticsRequest(method, url, sent)
  const message: RequestCreateMessage = { request }
  if (create.hasSubscribers) create.publish(message)
  if (bridged && undiciCreate.hasSubscribers) undiciCreate.publish(message)
  return new RequestTrace(request, bridged, sent.length)
}

/** Path and query of a serialized URL (no fragment). */
function pathOf(href: string): string {
  const scheme = href.indexOf('://')
  const slash = scheme === -1 ? -1 : href.indexOf('/', scheme + 3)
  if (slash === -1) {
    const url = new URL(href)
    return url.pathname + url.search
  }
  const hash = href.indexOf('#', slash)
  return hash === -1 ? href.slice(slash) : href.slice(slash, hash)
}

/** undici's response header shape: `[name, value, ...]` as Buffers. */
function rawHeaderBuffers(raw: string): Buffer[] {
  if (raw.length === 0) return []
  const parts = raw.split('\0')
  const out: Buffer[] = []
  for (let i = 0; i + 1 < parts.length; i += 2) {
    out.push(Buffer.from(parts[i]), Buffer.from(parts[i + 1]))
  }
  return out
}
