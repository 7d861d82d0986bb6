import { channel } from 'node:diagnostics_channel'
import { parseRawHeaders } from './headers.js'
import type { ResponseHead } from './response.js'

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
  readonly #sent: number

  constructor(method: string, url: string, headers: string[]) {
    const parsed = new URL(url)
    this.origin = parsed.origin
    this.method = method
    this.path = parsed.pathname + parsed.search
    this.url = url
    // A copy: the caller's list may be the client's shared default headers.
    this.headers = headers.slice()
    this.#sent = headers.length
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

  /** The headers subscribers added (re-sent when a `beforeRetry` hook rebuilds the request). */
  added(): string[] {
    return this.headers.slice(this.#sent)
  }
}

/** The response head as hyperhttp's `hyperhttp:request:headers` subscribers see it. */
export interface DiagnosticsResponse {
  status: number
  statusText: string
  headers: Headers
  /** Final URL, after redirects. */
  url: string
  redirected: boolean
  /** Attempts the engine made. */
  attempts: number
}

/** `hyperhttp:request:create`: the request is about to be handed to the engine. */
export interface RequestCreateMessage {
  request: DiagnosticsRequest
}

/** `hyperhttp:request:headers`: the response head arrived. */
export interface RequestHeadersMessage {
  request: DiagnosticsRequest
  response: DiagnosticsResponse
}

/** `hyperhttp:request:error`: the request failed (before or after its response head). */
export interface RequestErrorMessage {
  request: DiagnosticsRequest
  /** The typed error (`ConnectError`, `TimeoutError`, `AbortError`, ...), or what a hook threw. */
  error: unknown
}

/** `hyperhttp:request:end`: the response body was received whole, or discarded. */
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

const NO_TRAILERS: Buffer[] = []

/**
 * The diagnostics of one request, from `create` to exactly one of `end` or `error`. Created
 * only when some channel has a subscriber, so an unobserved request pays one check.
 */
export class RequestTrace {
  readonly request: DiagnosticsRequest
  readonly #undici: boolean
  #responded = false
  #endPending = false
  #over = false

  constructor(request: DiagnosticsRequest, undici: boolean) {
    this.request = request
    this.#undici = undici
  }

  /** The headers of a retry a `beforeRetry` hook rebuilt, with the ones subscribers added. */
  retryHeaders(next: string[]): string[] {
    const added = this.request.added()
    return added.length === 0 ? next : next.concat(added)
  }

  /** The response head arrived. */
  response(head: ResponseHead): void {
    if (this.#over) return
    this.#responded = true
    const request = this.request
    if (headers.hasSubscribers) {
      const response: DiagnosticsResponse = {
        status: head.status,
        statusText: head.statusText,
        headers: parseRawHeaders(head.rawHeaders),
        url: head.url,
        redirected: head.redirected,
        attempts: head.attempts,
      }
      headers.publish({ request, response } satisfies RequestHeadersMessage)
    }
    if (this.#undici && undiciHeaders.hasSubscribers) {
      const response = {
        statusCode: head.status,
        statusText: head.statusText,
        headers: rawHeaderBuffers(head.rawHeaders),
      }
      undiciHeaders.publish({ request, response })
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
      undiciTrailers.publish({ request, trailers: NO_TRAILERS })
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

/**
 * Starts the diagnostics of a request about to be sent, publishing `create` (subscribers may
 * add headers: send `trace.request.headers`). `null`, allocating nothing, when no channel has
 * a subscriber. `undici` also publishes on the undici-compatible channels.
 */
export function traceRequest(
  undici: boolean,
  method: string,
  url: string,
  sent: string[],
): RequestTrace | null {
  const own =
    create.hasSubscribers || headers.hasSubscribers || error.hasSubscribers || end.hasSubscribers
  const bridged =
    undici &&
    (undiciCreate.hasSubscribers ||
      undiciHeaders.hasSubscribers ||
      undiciTrailers.hasSubscribers ||
      undiciError.hasSubscribers)
  if (!own && !bridged) return null
  const request = new DiagnosticsRequest(method, url, sent)
  const message: RequestCreateMessage = { request }
  if (create.hasSubscribers) create.publish(message)
  if (bridged && undiciCreate.hasSubscribers) undiciCreate.publish(message)
  return new RequestTrace(request, bridged)
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
