import { invalid } from '../errors.js'

/** A request as a mock server received it, for matchers and reply functions. */
export interface MockedRequest {
  /** The origin the client addressed, as `URL.origin` spells it (`https://api.example.com`). */
  readonly origin: string
  /** The method, upper case. */
  readonly method: string
  /** Path and query string, as sent (`/users?page=2`). */
  readonly path: string
  /** The full URL the client addressed. */
  readonly url: string
  /** Header fields, names in lower case (repeated fields joined with `, `). */
  readonly headers: Readonly<Record<string, string>>
  /** The request body decoded as UTF-8 (`''` when none). */
  readonly body: string
}

/** Matches a string: equal to it, matched by a RegExp, or accepted by a function. */
export type StringMatcher = string | RegExp | ((value: string) => boolean)

/**
 * What an interceptor matches. Every given field must match; `path` is required.
 *
 * @example
 * ```ts
 * agent.get('https://api.example.com').intercept({
 *   method: 'POST',
 *   path: '/users',
 *   headers: { authorization: /^Bearer / },
 *   body: (text) => JSON.parse(text).name === 'Ada',
 * })
 * ```
 */
export interface InterceptOptions {
  /**
   * The path. A string matches the path without its query string, or, when it contains a
   * `?`, the path with it; a RegExp or function sees the path with the query string.
   */
  path: StringMatcher
  /** The method (default `GET`); a string is compared case-insensitively. */
  method?: StringMatcher
  /** The query parameters: the request must have exactly these (in any order). */
  query?: Record<string, string | number | boolean>
  /** Header fields that must match (names case-insensitive; a missing field never matches). */
  headers?: Record<string, StringMatcher> | ((headers: Record<string, string>) => boolean)
  /** The body, decoded as UTF-8. */
  body?: StringMatcher
}

/** A reply's body: text, bytes, or any other value sent as JSON. */
export type MockBody = string | Uint8Array | ArrayBuffer | null | undefined | object

/** Options of a scripted reply. */
export interface MockReplyOptions {
  /** Response header fields. */
  headers?: Record<string, string | readonly string[]>
  /**
   * Send the head and the given body bytes, then never finish the body (the connection stays
   * open), so the client's read timeout (`timeout.read`) ends it.
   */
  stall?: boolean
}

/** A reply computed from the request. */
export interface MockReply extends MockReplyOptions {
  status: number
  body?: MockBody
}

/** Computes a reply from the request (may be async). */
export type MockReplyFunction = (request: MockedRequest) => MockReply | Promise<MockReply>

/**
 * Failures a mock server can produce on the connection, each turned by the engine into the
 * error of that code exactly as from a real server: `ERR_CONNECTION_CLOSED` (the socket is
 * destroyed before any response byte), `ERR_PROTOCOL` (an invalid status line),
 * `ERR_HEADERS_TOO_LARGE` (a head over the client's `maxHeaderSize`), `ERR_DECODE` (a gzip body
 * that is not gzip), `ERR_TIMEOUT` (no response at all: the client's read timeout fires).
 * Connect-phase codes (`ERR_DNS`, `ERR_CONNECT`, `ERR_TLS*`) happen before any request exists:
 * script them with `MockOrigin#failConnect`.
 */
export type MockNetworkError =
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_PROTOCOL'
  | 'ERR_HEADERS_TOO_LARGE'
  | 'ERR_DECODE'
  | 'ERR_TIMEOUT'

const NETWORK_ERRORS = new Set<string>([
  'ERR_CONNECTION_CLOSED',
  'ERR_PROTOCOL',
  'ERR_HEADERS_TOO_LARGE',
  'ERR_DECODE',
  'ERR_TIMEOUT',
])

/** What an interceptor does with a request it matched. */
export type MockAction =
  | { kind: 'reply'; reply: MockReply }
  | { kind: 'function'; reply: MockReplyFunction }
  | { kind: 'error'; code: MockNetworkError }

/** How many times an interceptor or a connect failure applies, and how often it did. */
export class MockScope {
  /** Times it may still be used (`Infinity` once persisted). */
  #times = 1
  #persisted = false
  /** Milliseconds to wait before replying. */
  delayMs = 0
  /** Times it was used. */
  used = 0

  /**
   * Waits `ms` before sending the reply's head.
   *
   * @example
   * ```ts
   * api.intercept({ path: '/slow' }).reply(200, 'ok').delay(500)
   * ```
   */
  delay(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw invalid('delay', 'a number of ms >= 0', ms)
    this.delayMs = ms
    return this
  }

  /**
   * Applies `n` times (instead of once).
   *
   * @example
   * ```ts
   * api.intercept({ path: '/flaky' }).reply(503, '').times(2)
   * ```
   */
  times(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw invalid('times', 'an integer >= 1', n)
    this.#times = n
    this.#persisted = false
    return this
  }

  /**
   * Applies for ever.
   *
   * @example
   * ```ts
   * api.intercept({ path: '/health' }).reply(200, 'ok').persist()
   * ```
   */
  persist(): this {
    this.#persisted = true
    return this
  }

  /** The limit, or `null` when persisted. */
  get limit(): number | null {
    return this.#persisted ? null : this.#times
  }

  /** True while it may still be used. */
  get available(): boolean {
    return this.#persisted || this.used < this.#times
  }

  /** True when a test still expects it to be used: not used up, or persisted and never used. */
  get pending(): boolean {
    return this.#persisted ? this.used === 0 : this.used < this.#times
  }
}

/** One scripted exchange of an origin: what it matches, what it does, how often. */
export class MockInterceptor {
  readonly origin: string
  readonly options: InterceptOptions
  action: MockAction | null = null
  scope: MockScope | null = null

  constructor(origin: string, options: InterceptOptions) {
    this.origin = origin
    this.options = checkIntercept(options)
  }

  /**
   * Answers with `status`, `body` and `options.headers`, or with what `status` (a function of
   * the request) returns. A body that is not text or bytes is sent as JSON.
   *
   * @example
   * ```ts
   * api.intercept({ path: '/users/1' }).reply(200, { id: 1 }, { headers: { etag: '"v1"' } })
   * api.intercept({ path: '/echo', method: 'POST' }).reply((req) => ({ status: 200, body: req.body }))
   * ```
   */
  reply(
    status: number | MockReplyFunction,
    body?: MockBody,
    options?: MockReplyOptions,
  ): MockScope {
    if (typeof status === 'function') return this.#set({ kind: 'function', reply: status })
    checkStatus(status)
    return this.#set({ kind: 'reply', reply: { ...options, status, body } })
  }

  /**
   * Fails the exchange with a network error of `code` (see {@link MockNetworkError}).
   *
   * @example
   * ```ts
   * api.intercept({ path: '/users' }).replyWithError('ERR_CONNECTION_CLOSED')
   * ```
   */
  replyWithError(code: MockNetworkError): MockScope {
    if (!NETWORK_ERRORS.has(code)) {
      throw invalid(
        'replyWithError code',
        `one of ${[...NETWORK_ERRORS].join(', ')} (connect errors: use failConnect)`,
        code,
      )
    }
    return this.#set({ kind: 'error', code })
  }

  /** Whether this interceptor matches `request` (its scope aside). */
  matches(request: MockedRequest): boolean {
    const { path, method = 'GET', query, headers, body } = this.options
    const [pathname = '', search = ''] = splitQuery(request.path)
    const wanted = typeof path === 'string' && !path.includes('?') ? pathname : request.path
    if (!matchString(path, wanted)) return false
    if (typeof method === 'string') {
      if (method.toUpperCase() !== request.method) return false
    } else if (!matchString(method, request.method)) return false
    if (query !== undefined && !sameQuery(query, search)) return false
    if (typeof headers === 'function') {
      if (!headers({ ...request.headers })) return false
    } else if (headers !== undefined) {
      for (const [name, matcher] of Object.entries(headers)) {
        const value = request.headers[name.toLowerCase()]
        if (value === undefined || !matchString(matcher, value)) return false
      }
    }
    return body === undefined || matchString(body, request.body)
  }

  /** `GET /path` as a person reads it, for messages. */
  describe(): string {
    const { method = 'GET', path } = this.options
    return `${String(method)} ${this.origin}${String(path)}`
  }

  #set(action: MockAction): MockScope {
    if (this.action !== null) throw invalid('interceptor', 'replied to once', 'a second reply')
    this.action = action
    this.scope = new MockScope()
    return this.scope
  }
}

function matchString(matcher: StringMatcher, value: string): boolean {
  if (typeof matcher === 'string') return matcher === value
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0
    return matcher.test(value)
  }
  return matcher(value)
}

function splitQuery(path: string): [string, string] {
  const at = path.indexOf('?')
  return at === -1 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)]
}

function sameQuery(expected: Record<string, string | number | boolean>, search: string): boolean {
  const actual = new URLSearchParams(search)
  const names = Object.keys(expected)
  if ([...new Set(actual.keys())].length !== names.length) return false
  return names.every((name) => {
    const values = actual.getAll(name)
    return values.length === 1 && values[0] === String(expected[name])
  })
}

function isMatcher(value: unknown): boolean {
  return typeof value === 'string' || value instanceof RegExp || typeof value === 'function'
}

function checkIntercept(options: InterceptOptions): InterceptOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('intercept options', 'an object', options)
  }
  if (!isMatcher(options.path)) throw invalid('path', 'a string, RegExp or function', options.path)
  if (options.method !== undefined && !isMatcher(options.method)) {
    throw invalid('method', 'a string, RegExp or function', options.method)
  }
  if (options.body !== undefined && !isMatcher(options.body)) {
    throw invalid('body', 'a string, RegExp or function', options.body)
  }
  if (
    options.query !== undefined &&
    (typeof options.query !== 'object' || options.query === null)
  ) {
    throw invalid('query', 'an object of parameters', options.query)
  }
  const headers = options.headers
  if (headers !== undefined && typeof headers !== 'function') {
    if (
      typeof headers !== 'object' ||
      headers === null ||
      !Object.values(headers).every(isMatcher)
    ) {
      throw invalid('headers', 'an object of string, RegExp or function matchers', headers)
    }
  }
  return options
}

/** Throws unless `status` can be sent on the wire. */
export function checkStatus(status: unknown): void {
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 999) {
    throw invalid('status', 'an integer from 100 to 999', status)
  }
}
