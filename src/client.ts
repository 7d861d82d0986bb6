import { asciiUpperCase } from './ascii.js'
import type { CircuitBreakers } from './breaker-manager.js'
import { Dispatcher } from './dispatcher.js'
import { invalid } from './errors.js'
import { fetchWith } from './fetch-semantics.js'
import { type HeaderParts, requestHeaderParts } from './headers.js'
import { hookHeaders, mergeHooks, sendWithHooks } from './hooks.js'
import { registerDispatcher } from './mock-access.js'
import { type ClientConfig, normalizeClientOptions, normalizeHooks } from './options.js'
import { outgoing } from './outgoing.js'
import { Pipeline } from './pipeline.js'
import { assertOneBody, requestParts } from './request-parts.js'
import type { Response } from './response.js'
import { poolStats } from './stats.js'
import type {
  ClientOptions,
  FetchInit,
  HookLists,
  PoolStats,
  RequestConfig,
  RequestOptions,
} from './types.js'
import { resolveUrl } from './url.js'

const NO_OPTIONS: RequestOptions = {}

/**
 * A long-lived HTTP client owning one connection pool (HTTP/1.1 keep-alive and HTTP/2).
 * Create one per application or per API and reuse it; close it when done. Non-2xx statuses
 * resolve normally; failures reject with typed errors (`TimeoutError`, `ConnectError`, ...).
 * An idle client never keeps the process alive.
 *
 * @example
 * ```ts
 * await using client = new Client({ baseUrl: 'https://api.example.com/v1/', timeout: 10_000 })
 * const user = await (await client.get('users/1')).json()
 * await client.post('users', { json: { name: 'Ada' } })
 * ```
 */
export class Client {
  readonly #config: ClientConfig
  readonly #pipeline: Pipeline

  /**
   * Validates `options` once; a bad option throws an `InvalidArgumentError` naming it.
   *
   * @example
   * ```ts
   * const client = new Client({ limits: { maxConnectionsPerHost: 16 }, http2: true })
   * ```
   */
  constructor(options?: ClientOptions) {
    this.#config = normalizeClientOptions(options)
    this.#pipeline = new Pipeline(
      new Dispatcher(
        this.#config.native,
        this.#config.undiciChannels,
        this.#config.resolver,
        this.#config.cookieJar,
      ),
      this.#config,
    )
    registerDispatcher(this, this.#pipeline.dispatcher)
  }

  /**
   * The circuit breakers of this client, one per origin: their state, `'statechange'`
   * events, and export/restore.
   *
   * @example
   * ```ts
   * client.breakers.addEventListener('statechange', ({ origin, from, to }) => {
   *   console.warn(`circuit ${origin}: ${from} -> ${to}`)
   * })
   * ```
   */
  get breakers(): CircuitBreakers {
    return this.#pipeline.breakers.view
  }

  /**
   * Sends a request described by one object.
   *
   * @example
   * ```ts
   * const res = await client.request({ method: 'PUT', url: '/items/1', json: item })
   * ```
   */
  request(config: RequestConfig): Promise<Response> {
    if (typeof config !== 'object' || config === null) {
      return Promise.reject(invalid('request', 'an object', config))
    }
    const method = config.method
    if (method !== undefined && typeof method !== 'string') {
      return Promise.reject(invalid('method', 'a string', method))
    }
    return this.#request(method === undefined ? 'GET' : asciiUpperCase(method), config.url, config)
  }

  /**
   * Sends a GET request.
   *
   * @example
   * ```ts
   * const res = await client.get('/search', { query: { q: 'cats' } })
   * ```
   */
  get(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('GET', url, options)
  }

  /**
   * Sends a POST request.
   *
   * @example
   * ```ts
   * await client.post('/items', { json: { name: 'x' } })
   * ```
   */
  post(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('POST', url, options)
  }

  /**
   * Sends a PUT request.
   *
   * @example
   * ```ts
   * await client.put('/items/1', { body: 'replacement' })
   * ```
   */
  put(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('PUT', url, options)
  }

  /**
   * Sends a PATCH request.
   *
   * @example
   * ```ts
   * await client.patch('/items/1', { json: { done: true } })
   * ```
   */
  patch(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('PATCH', url, options)
  }

  /**
   * Sends a DELETE request.
   *
   * @example
   * ```ts
   * await client.delete('/items/1')
   * ```
   */
  delete(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('DELETE', url, options)
  }

  /**
   * Sends a HEAD request; the response has no body.
   *
   * @example
   * ```ts
   * const size = (await client.head('/file')).headers.get('content-length')
   * ```
   */
  head(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('HEAD', url, options)
  }

  /**
   * Sends an OPTIONS request.
   *
   * @example
   * ```ts
   * const allow = (await client.options('/items')).headers.get('allow')
   * ```
   */
  options(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.#request('OPTIONS', url, options)
  }

  /**
   * `fetch` through this client's pool and defaults, with the platform fetch's semantics:
   * failures reject with `TypeError('fetch failed')` (typed error as `cause`), an abort with
   * `signal.reason`. A relative URL resolves against `baseUrl`.
   *
   * @example
   * ```ts
   * const res = await client.fetch('/items', { method: 'POST', body: JSON.stringify(item) })
   * ```
   */
  fetch(input: string | URL | Request, init?: FetchInit): Promise<Response> {
    return fetchWith(this.#pipeline, this.#config, input, init)
  }

  /**
   * Open, idle and busy connections, requests in flight and queued for a connection, and
   * HTTP/2 streams, in total and per origin. Cheap (counters read in the engine, no I/O);
   * all zero once closed.
   *
   * @example
   * ```ts
   * const { total, origins } = client.stats()
   * console.log(`${total.busy}/${total.open} busy, ${total.queued} queued`, origins)
   * ```
   */
  stats(): PoolStats {
    return poolStats(this.#pipeline.dispatcher.stats())
  }

  /**
   * Cancels everything in flight (those requests reject with `ClientClosedError`) and frees
   * the pool. Later requests reject with `ClientClosedError`. Calling it again does nothing.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => client.close())
   * ```
   */
  close(): Promise<void> {
    this.#pipeline.close()
    return Promise.resolve()
  }

  /**
   * Closes the client at the end of an `await using` block.
   *
   * @example
   * ```ts
   * await using client = new Client()
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #request(method: string, url: unknown, options: RequestOptions | undefined): Promise<Response> {
    try {
      const o = options ?? NO_OPTIONS
      if (typeof o !== 'object' || o === null) throw invalid('options', 'an object', o)
      assertOneBody(o)
      const href = resolveUrl(this.#config.baseUrl, url, o.query)
      const hooks = mergeHooks(this.#config.hooks, normalizeHooks(o.hooks, 'hooks'))
      if (hooks !== null) return this.#hooked(method, href, o, hooks)
      const { signal, options: overrides, body, progress } = requestParts(o)
      const request = outgoing(
        clientHeaders,
        this.#config,
        method,
        href,
        o.headers,
        body,
        overrides,
        signal,
        progress,
      )
      if (request instanceof Promise) {
        return request.then((ready) => this.#pipeline.send(ready, false))
      }
      return this.#pipeline.send(request, false)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  #hooked(method: string, url: string, o: RequestOptions, hooks: HookLists): Promise<Response> {
    const request = {
      ...o,
      method,
      url,
      query: undefined,
      headers: hookHeaders(this.#config.headers, o.headers),
      hooks: undefined,
    }
    return sendWithHooks(this.#pipeline, this.#config, request, hooks)
  }
}

/** A `Client` method's headers: the client's defaults, then the request's own. */
function clientHeaders(
  config: ClientConfig,
  init: unknown,
  contentType: string | null,
): HeaderParts {
  return requestHeaderParts(config.headers, init, contentType)
}
