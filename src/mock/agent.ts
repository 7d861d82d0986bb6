import type { IncomingMessage, ServerResponse } from 'node:http'
import { Client } from '../client.js'
import { type Dispatcher, nativeError } from '../dispatcher.js'
import { HyperHttpError, invalid } from '../errors.js'
import { sharedClient } from '../fetch.js'
import { dispatcherOf } from '../mock-access.js'
import { type NativeMockRoutes, nativeBinding } from '../native.js'
import type { ClientOptions } from '../types.js'
import {
  checkStatus,
  type InterceptOptions,
  type MockAction,
  type MockedRequest,
  MockInterceptor,
  type MockReply,
} from './interceptor.js'
import { type MockScheme, MockServer } from './server.js'

/** The header with which the mock server refuses a request (`MOCK_UNMATCHED_HEADER` in the engine). */
const UNMATCHED_HEADER = 'x-hyperhttp-mock-unmatched'
/** A response head bigger than any default `maxHeaderSize`, for `ERR_HEADERS_TOO_LARGE`. */
const OVERSIZED_HEADER = 1024 * 1024
/** Pending interceptors named in a refusal message at most. */
const LISTED_PENDING = 5

/** Options of {@link MockOrigin.failConnect}. */
export interface FailConnectOptions {
  /** Connections to fail (default 1); `Infinity` fails them all. */
  times?: number
  /** The error's message (default: says it was scripted). */
  message?: string
}

/** The agent's part of {@link MockOrigin.failConnect}. */
type ScriptConnectFailure = (origin: string, code: string, options: FailConnectOptions) => void

/** One connect failure scripted with {@link MockOrigin.failConnect}. */
interface ConnectFailure {
  readonly origin: string
  readonly code: string
  readonly times: number
}

/**
 * The scripted side of one origin: its interceptors and connect failures.
 *
 * @example
 * ```ts
 * const api = agent.get('https://api.example.com')
 * api.intercept({ path: '/users/1' }).reply(200, { id: 1 })
 * ```
 */
export class MockOrigin {
  readonly origin: string
  readonly #failConnect: ScriptConnectFailure
  /** @internal Read by the agent's server. */
  readonly interceptors: MockInterceptor[] = []

  /** @internal Created by {@link MockAgent.get}. */
  constructor(origin: string, failConnect: ScriptConnectFailure) {
    this.origin = origin
    this.#failConnect = failConnect
  }

  /**
   * Scripts an exchange: what requests it matches; then call `reply`, or `replyWithError`, on
   * the result.
   *
   * @example
   * ```ts
   * api.intercept({ method: 'GET', path: '/search', query: { q: 'cats' } }).reply(200, [])
   * ```
   */
  intercept(options: InterceptOptions): MockInterceptor {
    const interceptor = new MockInterceptor(this.origin, options)
    this.interceptors.push(interceptor)
    return interceptor
  }

  /**
   * Fails new connections to this origin with `code` (any hyperhttp error code: `ERR_DNS`,
   * `ERR_CONNECT`, `ERR_TLS_CERT_EXPIRED`, ...) before any request is sent, exactly where the
   * engine meets a real connect failure: the client's retry policy and timeouts apply.
   *
   * @example
   * ```ts
   * api.failConnect('ERR_CONNECT', { times: 2 }) // the third connect reaches the interceptors
   * ```
   */
  failConnect(code: string, options: FailConnectOptions = {}): void {
    this.#failConnect(this.origin, code, options)
  }
}

/**
 * Scripted origins for tests. Clients attached to the agent (`agent.client()`, `attach`, or
 * `install()` for the drop-in `fetch`) send requests for mocked origins, and for every origin
 * not let through with {@link MockAgent.enableNetConnect}, to an in-process HTTP/1.1 server
 * instead of the network. The engine talks to it as to any server, so redirects,
 * decompression, retries with `Retry-After`, timeouts and circuit breakers run the production
 * code. A request no interceptor matches fails with `MockNotMatchedError`.
 *
 * @example
 * ```ts
 * import { MockAgent } from 'hyperhttp/testing'
 * await using agent = new MockAgent()
 * agent.get('https://api.example.com').intercept({ path: '/users/1' }).reply(200, { id: 1 })
 * const client = agent.client({ baseUrl: 'https://api.example.com' })
 * const user = await (await client.get('/users/1')).json()
 * agent.assertNoPendingInterceptors()
 * ```
 */
export class MockAgent {
  readonly #server: MockServer
  readonly #routes: NativeMockRoutes
  readonly #origins = new Map<string, MockOrigin>()
  readonly #failures: ConnectFailure[] = []
  readonly #attached = new Set<Dispatcher>()
  #netConnectAll = false
  readonly #netConnectHosts = new Set<string>()
  #closed = false

  /**
   * Starts the agent's server. No host is let through until `enableNetConnect`.
   *
   * @example
   * ```ts
   * const agent = new MockAgent()
   * ```
   */
  constructor() {
    this.#server = new MockServer((scheme, req, res) => {
      this.#handle(scheme, req, res).catch((error: unknown) => reply500(res, error))
    })
    const { NativeMockRoutes } = nativeBinding()
    this.#routes = new NativeMockRoutes(this.#server.httpSocket, this.#server.httpsSocket)
  }

  /**
   * The scripted side of `origin` (`scheme://host[:port]`; a longer URL is cut to its origin).
   *
   * @example
   * ```ts
   * const api = agent.get('https://api.example.com')
   * ```
   */
  get(origin: string | URL): MockOrigin {
    this.#assertOpen()
    const key = originOf(origin)
    let scripted = this.#origins.get(key)
    if (scripted === undefined) {
      scripted = new MockOrigin(key, this.#scriptConnectFailure)
      this.#origins.set(key, scripted)
      this.#routes.mockOrigin(key)
    }
    return scripted
  }

  /**
   * A new `Client` attached to this agent.
   *
   * @example
   * ```ts
   * const client = agent.client({ retry: { maxRetries: 2 } })
   * ```
   */
  client(options?: ClientOptions): Client {
    const client = new Client(options)
    this.attach(client)
    return client
  }

  /**
   * Attaches an existing client: its new connections go where this agent routes them.
   *
   * @example
   * ```ts
   * agent.attach(app.httpClient)
   * ```
   */
  attach(client: Client): void {
    this.#assertOpen()
    const dispatcher = dispatcherOf(client)
    if (dispatcher === undefined) throw invalid('client', 'a hyperhttp Client', client)
    dispatcher.setMockRoutes(this.#routes)
    this.#attached.add(dispatcher)
  }

  /**
   * Attaches the client behind hyperhttp's drop-in `fetch` (and so `globalThis.fetch` after
   * `hyperhttp/register`) until {@link MockAgent.uninstall} or {@link MockAgent.close}.
   *
   * @example
   * ```ts
   * agent.install()
   * await fetch('https://api.example.com/users/1') // served by the agent
   * ```
   */
  install(): void {
    this.attach(sharedClient())
  }

  /**
   * Sends the drop-in `fetch` to the network again.
   *
   * @example
   * ```ts
   * agent.uninstall()
   * ```
   */
  uninstall(): void {
    const dispatcher = dispatcherOf(sharedClient())
    if (dispatcher !== undefined && this.#attached.delete(dispatcher)) {
      dispatcher.setMockRoutes(null)
    }
  }

  /**
   * Lets requests to origins that are not mocked reach the network: to `host` (`hostname` or
   * `hostname:port`), or, without an argument, to every host. Mocked origins stay mocked.
   *
   * @example
   * ```ts
   * agent.enableNetConnect('127.0.0.1') // a real local server in the same test
   * ```
   */
  enableNetConnect(host?: string): void {
    this.#assertOpen()
    if (host === undefined) this.#netConnectAll = true
    else if (typeof host === 'string' && host.length > 0)
      this.#netConnectHosts.add(host.toLowerCase())
    else throw invalid('host', 'a host name, host:port, or nothing for all hosts', host)
    this.#routes.setNetConnect(this.#netConnectAll, [...this.#netConnectHosts])
  }

  /**
   * Refuses every request that no interceptor matches (the default).
   *
   * @example
   * ```ts
   * agent.disableNetConnect()
   * ```
   */
  disableNetConnect(): void {
    this.#assertOpen()
    this.#netConnectAll = false
    this.#netConnectHosts.clear()
    this.#routes.setNetConnect(false, [])
  }

  /**
   * Interceptors and connect failures a test still expects to be used, described.
   *
   * @example
   * ```ts
   * expect(agent.pendingInterceptors()).toEqual([])
   * ```
   */
  pendingInterceptors(): string[] {
    const pending: string[] = []
    for (const scripted of this.#origins.values()) {
      for (const interceptor of scripted.interceptors) {
        const scope = interceptor.scope
        if (scope === null) pending.push(`${interceptor.describe()} (no reply given)`)
        else if (scope.pending)
          pending.push(`${interceptor.describe()} (${uses(scope.used, scope.limit)})`)
      }
    }
    const used = this.#routes.connectFailuresUsed()
    this.#failures.forEach((failure, i) => {
      const count = used[i] ?? 0
      const limit = Number.isFinite(failure.times) ? failure.times : null
      if (limit === null ? count === 0 : count < limit) {
        pending.push(
          `connect to ${failure.origin} failing with ${failure.code} (${uses(count, limit)})`,
        )
      }
    })
    return pending
  }

  /**
   * Throws a `HyperHttpError` (`ERR_MOCK_PENDING`) listing the interceptors not used as often
   * as scripted.
   *
   * @example
   * ```ts
   * afterEach(() => agent.assertNoPendingInterceptors())
   * ```
   */
  assertNoPendingInterceptors(): void {
    const pending = this.pendingInterceptors()
    if (pending.length > 0) {
      throw new HyperHttpError(
        `${pending.length} mock interceptor(s) not used as scripted:\n  ${pending.join('\n  ')}`,
        { code: 'ERR_MOCK_PENDING' },
      )
    }
  }

  /**
   * Detaches every client (they reach the network again), stops the server and ends its
   * connections.
   *
   * @example
   * ```ts
   * afterAll(() => agent.close())
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const dispatcher of this.#attached) dispatcher.setMockRoutes(null)
    this.#attached.clear()
    await this.#server.close()
  }

  /**
   * Closes the agent at the end of an `await using` block.
   *
   * @example
   * ```ts
   * await using agent = new MockAgent()
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  readonly #scriptConnectFailure: ScriptConnectFailure = (origin, code, options) => {
    this.#assertOpen()
    if (typeof options !== 'object' || options === null) {
      throw invalid('failConnect options', 'an object', options)
    }
    const { times = 1, message = `connect to ${origin} failed (scripted by MockAgent)` } = options
    if (times !== Number.POSITIVE_INFINITY && (!Number.isInteger(times) || times < 1)) {
      throw invalid('times', 'an integer >= 1 or Infinity', times)
    }
    if (typeof message !== 'string') throw invalid('message', 'a string', message)
    try {
      this.#routes.failConnect(origin, code, message, Number.isFinite(times) ? times : null)
    } catch (error) {
      throw nativeError(error, origin) // an unknown code: InvalidArgumentError
    }
    this.#failures.push({ origin, code, times })
  }

  async #handle(scheme: MockScheme, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await mockedRequest(scheme, req)
    const interceptor = this.#origins
      .get(request.origin)
      ?.interceptors.find((i) => i.scope?.available === true && i.matches(request))
    const scope = interceptor?.scope
    if (interceptor?.action == null || scope == null) {
      res.writeHead(501, { [UNMATCHED_HEADER]: headerSafe(this.#unmatched(request)) })
      res.end()
      return
    }
    scope.used++
    if (scope.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, scope.delayMs))
    await perform(interceptor.action, request, req, res)
  }

  #unmatched(request: MockedRequest): string {
    const pending = this.pendingInterceptors()
    const listed = pending.slice(0, LISTED_PENDING).join('; ')
    const more =
      pending.length > LISTED_PENDING ? ` and ${pending.length - LISTED_PENDING} more` : ''
    const host = new URL(request.url).host
    return (
      `no mock interceptor matched ${request.method} ${request.url}` +
      (this.#origins.has(request.origin)
        ? ''
        : ` and net connect is not enabled for ${host} (agent.enableNetConnect('${host}') lets it through)`) +
      (pending.length === 0 ? '; no interceptor is pending' : `; pending: ${listed}${more}`)
    )
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new HyperHttpError('the MockAgent is closed', { code: 'ERR_MOCK_CLOSED' })
  }
}

async function mockedRequest(scheme: MockScheme, req: IncomingMessage): Promise<MockedRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const path = req.url ?? '/'
  const url = new URL(path, `${scheme}://${req.headers.host ?? 'localhost'}`)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return {
    origin: url.origin,
    method: req.method ?? 'GET',
    path,
    url: url.href,
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  }
}

async function perform(
  action: MockAction,
  request: MockedRequest,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  switch (action.kind) {
    case 'reply':
      return send(res, action.reply)
    case 'function': {
      const reply = await action.reply(request)
      if (typeof reply !== 'object' || reply === null) {
        throw invalid('reply function result', 'an object with a status', reply)
      }
      checkStatus(reply.status)
      return send(res, reply)
    }
    case 'error':
      return fail(action.code, req, res)
  }
}

function send(res: ServerResponse, reply: MockReply): void {
  const { body, contentType } = encode(reply.body)
  const headers: Record<string, string | readonly string[]> = { ...reply.headers }
  if (
    contentType !== null &&
    !Object.keys(headers).some((n) => n.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = contentType
  }
  res.writeHead(reply.status, headers as Record<string, string | string[]>)
  if (reply.stall !== true) {
    res.end(body)
  } else if (body.length > 0) {
    res.write(body)
  } else {
    res.flushHeaders()
  }
}

function fail(code: string, req: IncomingMessage, res: ServerResponse): void {
  switch (code) {
    case 'ERR_CONNECTION_CLOSED':
      req.socket.destroy()
      return
    case 'ERR_PROTOCOL':
      req.socket.end('HTTP/1.1 nope\r\n\r\n')
      return
    case 'ERR_HEADERS_TOO_LARGE':
      res.writeHead(200, { 'x-oversized': 'a'.repeat(OVERSIZED_HEADER) })
      res.end()
      return
    case 'ERR_DECODE':
      res.writeHead(200, { 'content-encoding': 'gzip' })
      res.end('this is not gzip')
      return
    default:
      // ERR_TIMEOUT: no answer; the client's read timeout ends the exchange.
      return
  }
}

function encode(body: unknown): { body: Buffer; contentType: string | null } {
  if (body === undefined || body === null) return { body: Buffer.alloc(0), contentType: null }
  if (typeof body === 'string')
    return { body: Buffer.from(body), contentType: 'text/plain; charset=utf-8' }
  if (body instanceof Uint8Array)
    return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: null }
  if (body instanceof ArrayBuffer) return { body: Buffer.from(body), contentType: null }
  return { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' }
}

function reply500(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`MockAgent reply failed: ${error instanceof Error ? error.message : String(error)}`)
}

function originOf(origin: string | URL): string {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw invalid('origin', 'an absolute http: or https: URL', origin)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('origin', 'an http: or https: URL', origin)
  }
  return url.origin
}

function uses(used: number, limit: number | null): string {
  return limit === null ? 'persisted, never used' : `used ${used} of ${limit} times`
}

/** The message as a header value: printable ASCII only. */
function headerSafe(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?')
}
