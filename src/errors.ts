import { describe } from './describe.js'
import type { RequestTimings } from './timings.js'

/** Options accepted by every hyperhttp error constructor. */
export interface HyperHttpErrorOptions {
  /** Stable machine-readable code, for example `ERR_TIMEOUT`. */
  code?: string
  /** The URL the failure happened on (after redirects, when known). */
  url?: string | undefined
  /** The underlying error or abort reason. */
  cause?: unknown
  /** Attempts made before this error (1 when the request was not retried). */
  attempts?: number | undefined
}

/**
 * Base class of every error hyperhttp raises. Branch on `code` or `instanceof`, never on the
 * message.
 *
 * @example
 * ```ts
 * try { await client.get('/slow') } catch (err) {
 *   if (err instanceof HyperHttpError && err.code === 'ERR_TIMEOUT') retryLater()
 * }
 * ```
 */
export class HyperHttpError extends Error {
  /** Stable machine-readable code, for example `ERR_CONNECT`. */
  readonly code: string
  /** The URL the failure happened on, when known. */
  readonly url: string | undefined
  /** Attempts the engine made before giving up (1 when the request was not retried). */
  readonly attempts: number
  /**
   * When the failed request's steps happened, where the engine knows them: what was done
   * before the failure (a timeout's phase shows as the first missing mark).
   */
  declare timings?: RequestTimings | undefined

  constructor(message: string, options: HyperHttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code ?? 'ERR_HYPERHTTP'
    this.url = options.url
    this.attempts = options.attempts ?? 1
  }

  static {
    HyperHttpError.prototype.name = 'HyperHttpError'
  }
}

/**
 * An option, header, method, URL or body was rejected before anything was sent
 * (`ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * new Client({ timeout: -1 }) // throws InvalidArgumentError: timeout must be a non-negative ...
 * ```
 */
export class InvalidArgumentError extends HyperHttpError {
  constructor(message: string, options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_INVALID_ARGUMENT'))
  }

  static {
    InvalidArgumentError.prototype.name = 'InvalidArgumentError'
  }
}

/**
 * The connection could not be made or was lost: `ERR_CONNECT`, `ERR_DNS`,
 * `ERR_CONNECTION_CLOSED`, or `addressFilter` refused an address (`ERR_ADDRESS_BLOCKED`,
 * nothing sent). A `lookup` that failed is `ERR_DNS` with what it threw as `cause`.
 *
 * @example
 * ```ts
 * if (err instanceof ConnectError && err.code === 'ERR_DNS') console.error('unknown host')
 * ```
 */
export class ConnectError extends HyperHttpError {
  static {
    ConnectError.prototype.name = 'ConnectError'
  }
}

/** The phase of a request in which a {@link TimeoutError} fired. */
export type TimeoutPhase =
  | 'pool'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'write'
  | 'headers'
  | 'body'
  | 'total'

/** Options of the {@link TimeoutError} constructor. */
export interface TimeoutErrorOptions extends HyperHttpErrorOptions {
  /** The phase that took too long. */
  phase?: TimeoutPhase | undefined
}

/**
 * A timeout expired (`ERR_TIMEOUT`); `phase` says which one.
 *
 * @example
 * ```ts
 * if (err instanceof TimeoutError && err.phase === 'pool') console.warn('pool exhausted')
 * ```
 */
export class TimeoutError extends HyperHttpError {
  /** The phase that took too long: pool, dns, connect, tls, write, headers, body or total. */
  readonly phase: TimeoutPhase | undefined

  constructor(message: string, options: TimeoutErrorOptions = {}) {
    super(message, withCode(options, 'ERR_TIMEOUT'))
    this.phase = options.phase
  }

  static {
    TimeoutError.prototype.name = 'TimeoutError'
  }
}

/**
 * The TLS handshake failed or the server certificate was refused: `ERR_TLS`,
 * `ERR_TLS_CERT_UNTRUSTED`, `ERR_TLS_CERT_SELF_SIGNED`, `ERR_TLS_CERT_EXPIRED`,
 * `ERR_TLS_CERT_HOSTNAME`, `ERR_TLS_PIN_MISMATCH` (no key of `tls.pins` in the chain).
 *
 * @example
 * ```ts
 * if (err instanceof TlsError) console.error('certificate problem:', err.code)
 * ```
 */
export class TlsError extends HyperHttpError {
  static {
    TlsError.prototype.name = 'TlsError'
  }
}

/**
 * The server broke the HTTP protocol: `ERR_PROTOCOL`, `ERR_HEADERS_TOO_LARGE`, `ERR_DECODE`.
 *
 * @example
 * ```ts
 * if (err instanceof ProtocolError && err.code === 'ERR_DECODE') console.error('bad gzip')
 * ```
 */
export class ProtocolError extends HyperHttpError {
  static {
    ProtocolError.prototype.name = 'ProtocolError'
  }
}

/**
 * The decoded response body grew beyond `maxDecodedBodySize` (`ERR_BODY_TOO_LARGE`).
 *
 * @example
 * ```ts
 * const client = new Client({ maxDecodedBodySize: 1024 }) // larger bodies raise BodyLimitError
 * ```
 */
export class BodyLimitError extends HyperHttpError {
  static {
    BodyLimitError.prototype.name = 'BodyLimitError'
  }
}

/**
 * A redirect could not be followed (`ERR_REDIRECT`): too many, `redirect: 'error'`, a target
 * that is not http(s), or a stream body that cannot be replayed.
 *
 * @example
 * ```ts
 * await client.get('/moved', { redirect: 'error' }) // rejects with RedirectError on a 3xx
 * ```
 */
export class RedirectError extends HyperHttpError {
  static {
    RedirectError.prototype.name = 'RedirectError'
  }
}

/**
 * The request body could not be read or sent (`ERR_REQUEST_BODY`), for example because the
 * user's stream errored; the stream's error is the `cause`.
 *
 * @example
 * ```ts
 * if (err instanceof RequestBodyError) console.error('upload failed:', err.cause)
 * ```
 */
export class RequestBodyError extends HyperHttpError {
  constructor(message: string, options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_REQUEST_BODY'))
  }

  static {
    RequestBodyError.prototype.name = 'RequestBodyError'
  }
}

/**
 * The request was aborted through its `AbortSignal` (`ERR_ABORTED`); `cause` is
 * `signal.reason`.
 *
 * @example
 * ```ts
 * await client.get('/', { signal: AbortSignal.timeout(100) }) // AbortError, cause: TimeoutError DOMException
 * ```
 */
export class AbortError extends HyperHttpError {
  constructor(message = 'The operation was aborted', options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_ABORTED'))
  }

  static {
    AbortError.prototype.name = 'AbortError'
  }
}

/**
 * The client was closed before or while the request ran (`ERR_CLIENT_CLOSED`).
 *
 * @example
 * ```ts
 * await client.close()
 * await client.get('/') // rejects with ClientClosedError
 * ```
 */
export class ClientClosedError extends HyperHttpError {
  constructor(message = 'The client is closed', options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_CLIENT_CLOSED'))
  }

  static {
    ClientClosedError.prototype.name = 'ClientClosedError'
  }
}

/**
 * The client's per-origin rate limit was reached and it is set to reject rather than wait
 * (`ERR_RATE_LIMITED`).
 *
 * @example
 * ```ts
 * const client = new Client({ rateLimit: { rate: 10, burst: 10, mode: 'reject' } })
 * // the 11th request within a second rejects with RateLimitError
 * ```
 */
export class RateLimitError extends HyperHttpError {
  constructor(message: string, options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_RATE_LIMITED'))
  }

  static {
    RateLimitError.prototype.name = 'RateLimitError'
  }
}

/** Options of the {@link CircuitBreakerOpenError} constructor. */
export interface CircuitBreakerOpenErrorOptions extends HyperHttpErrorOptions {
  /** The origin whose breaker refused the request, e.g. `https://api.example.com`. */
  origin: string
  /** Milliseconds until the breaker lets a probe through (0 when probes are in flight). */
  retryAfter: number
}

/**
 * The circuit breaker of the request's origin is open (or half-open with its probes in
 * flight), so the request was refused without touching the network (`ERR_CIRCUIT_OPEN`).
 * `cause` is the failure that opened the breaker, when known.
 *
 * @example
 * ```ts
 * try { await client.get('/users/1') } catch (err) {
 *   if (err instanceof CircuitBreakerOpenError) serveStale(err.origin, err.retryAfter)
 * }
 * ```
 */
export class CircuitBreakerOpenError extends HyperHttpError {
  /** The origin whose breaker refused the request. */
  readonly origin: string
  /** Milliseconds until the next probe may go through (0 when probes are in flight). */
  readonly retryAfter: number

  constructor(message: string, options: CircuitBreakerOpenErrorOptions) {
    super(message, { ...withCode(options, 'ERR_CIRCUIT_OPEN'), attempts: options.attempts ?? 0 })
    this.origin = options.origin
    this.retryAfter = options.retryAfter
  }

  static {
    CircuitBreakerOpenError.prototype.name = 'CircuitBreakerOpenError'
  }
}

/** Options of the {@link BulkheadFullError} constructor. */
export interface BulkheadFullErrorOptions extends HyperHttpErrorOptions {
  /** The origin whose bulkhead is full. */
  origin: string
}

/**
 * The bulkhead of the request's origin has `maxConcurrent` requests running and `maxQueue`
 * waiting, so the request was refused at once (`ERR_BULKHEAD_FULL`).
 *
 * @example
 * ```ts
 * const client = new Client({ bulkhead: { maxConcurrent: 10, maxQueue: 100 } })
 * // the 111th concurrent request to one origin rejects with BulkheadFullError
 * ```
 */
export class BulkheadFullError extends HyperHttpError {
  /** The origin whose bulkhead is full. */
  readonly origin: string

  constructor(message: string, options: BulkheadFullErrorOptions) {
    super(message, { ...withCode(options, 'ERR_BULKHEAD_FULL'), attempts: options.attempts ?? 0 })
    this.origin = options.origin
  }

  static {
    BulkheadFullError.prototype.name = 'BulkheadFullError'
  }
}

/**
 * A client attached to a `MockAgent` (`hyperhttp/testing`) sent a request that no interceptor
 * matched to a host the agent does not let through (`ERR_MOCK_NOT_MATCHED`). The message
 * names the request and the interceptors still pending.
 *
 * @example
 * ```ts
 * await expect(client.get('https://api.example.com/nope')).rejects.toThrow(MockNotMatchedError)
 * ```
 */
export class MockNotMatchedError extends HyperHttpError {
  constructor(message: string, options: HyperHttpErrorOptions = {}) {
    super(message, withCode(options, 'ERR_MOCK_NOT_MATCHED'))
  }

  static {
    MockNotMatchedError.prototype.name = 'MockNotMatchedError'
  }
}

function withCode(options: HyperHttpErrorOptions, code: string): HyperHttpErrorOptions {
  return {
    code: options.code ?? code,
    url: options.url,
    cause: options.cause,
    attempts: options.attempts,
  }
}

/** Options of the {@link ProxyError} constructor. */
export interface ProxyErrorOptions extends HyperHttpErrorOptions {
  /** The proxy's answer: HTTP status of a refused `CONNECT`, or SOCKS5 reply code. */
  proxyStatus?: number | undefined
}

/**
 * The proxy refused the request or its handshake failed (`ERR_PROXY`): a `CONNECT` answered
 * with a non-2xx status (407 when it wants credentials), a SOCKS5 error, or a proxy that
 * broke the protocol. The message shows the proxy URL without its password.
 *
 * @example
 * ```ts
 * try { await client.get('https://api.example.com/') } catch (err) {
 *   if (err instanceof ProxyError && err.proxyStatus === 407) console.error('check proxy credentials')
 * }
 * ```
 */
export class ProxyError extends HyperHttpError {
  /**
   * The proxy's answer, when it gave one: the HTTP status of a refused `CONNECT` (an HTTP or
   * HTTPS proxy), or the SOCKS5 reply code, 1 to 8 (a SOCKS5 proxy).
   */
  readonly proxyStatus: number | undefined

  constructor(message: string, options: ProxyErrorOptions = {}) {
    super(message, withCode(options, 'ERR_PROXY'))
    this.proxyStatus = options.proxyStatus
  }

  static {
    ProxyError.prototype.name = 'ProxyError'
  }
}

type ErrorClass = new (message: string, options: HyperHttpErrorOptions) => HyperHttpError

const classByCode: Record<string, ErrorClass | undefined> = {
  ERR_INVALID_ARGUMENT: InvalidArgumentError,
  ERR_CONNECT: ConnectError,
  ERR_DNS: ConnectError,
  ERR_CONNECTION_CLOSED: ConnectError,
  ERR_TLS: TlsError,
  ERR_TLS_CERT_UNTRUSTED: TlsError,
  ERR_TLS_CERT_SELF_SIGNED: TlsError,
  ERR_TLS_CERT_EXPIRED: TlsError,
  ERR_TLS_CERT_HOSTNAME: TlsError,
  ERR_TLS_PIN_MISMATCH: TlsError,
  ERR_PROTOCOL: ProtocolError,
  ERR_HEADERS_TOO_LARGE: ProtocolError,
  ERR_DECODE: ProtocolError,
  ERR_BODY_TOO_LARGE: BodyLimitError,
  ERR_REDIRECT: RedirectError,
  ERR_REQUEST_BODY: RequestBodyError,
  ERR_ABORTED: AbortError,
  ERR_CLIENT_CLOSED: ClientClosedError,
  ERR_RATE_LIMITED: RateLimitError,
  ERR_PROXY: ProxyError,
  ERR_ADDRESS_BLOCKED: ConnectError,
  ERR_MOCK_NOT_MATCHED: MockNotMatchedError,
}

/**
 * Turns an engine error record (code, message, phase, url, attempts, proxy status, and what a
 * resolver hook threw) into the matching error class.
 * Unknown codes become a plain {@link HyperHttpError} that keeps the code.
 *
 * @example
 * ```ts
 * fromNative('ERR_TIMEOUT', 'read timed out', 'body', url) // TimeoutError, phase 'body'
 * ```
 */
export function fromNative(
  code: string,
  message: string,
  phase: string | undefined,
  url: string | undefined,
  attempts = 1,
  proxyStatus?: number,
  cause: unknown = undefined,
): HyperHttpError {
  if (code === 'ERR_TIMEOUT') {
    return new TimeoutError(message, { url, attempts, phase: phase as TimeoutPhase | undefined })
  }
  if (code === 'ERR_PROXY') return new ProxyError(message, { url, attempts, proxyStatus })
  const ErrorClass = classByCode[code] ?? HyperHttpError
  return new ErrorClass(message, { code, url, attempts, cause })
}

/** `name must be <expected>, got <value>`. */
export function invalid(name: string, expected: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${name} must be ${expected}, got ${describe(value)}`)
}
